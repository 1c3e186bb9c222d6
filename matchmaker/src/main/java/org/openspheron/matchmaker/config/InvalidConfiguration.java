package org.openspheron.matchmaker.config;

/** The matchmaker cannot start with this configuration; the message names the key and what is wrong. */
public final class InvalidConfiguration extends RuntimeException {
    public InvalidConfiguration(String message) {
        super(message);
    }

    public InvalidConfiguration(String message, Throwable cause) {
        super(message, cause);
    }
}
