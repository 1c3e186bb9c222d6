package org.openspheron.cli;

/** A failure the user can act on: printed as {@code error: <message>} without a stack trace. */
public class CliException extends RuntimeException {
    public static final int FAILED = 1;
    public static final int TIMED_OUT = 3;

    private final int exitCode;

    public CliException(String message) {
        this(message, FAILED);
    }

    public CliException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public CliException(String message, Throwable cause) {
        super(message, cause);
        this.exitCode = FAILED;
    }

    public int exitCode() {
        return exitCode;
    }
}
