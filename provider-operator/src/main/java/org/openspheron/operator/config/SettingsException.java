package org.openspheron.operator.config;

/** The operator's configuration cannot work; the message says which key to fix. */
public final class SettingsException extends RuntimeException {
    public SettingsException(String message) {
        super(message);
    }
}
