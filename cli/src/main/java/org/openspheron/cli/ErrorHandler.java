package org.openspheron.cli;

import java.io.UncheckedIOException;
import org.openspheron.chain.ChainException;
import org.openspheron.manifest.ManifestException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns every failure into one {@code error: ...} line on stderr and a non-zero exit code. Stack traces only with
 * {@code SPHERON_DEBUG=1}: a user needs the reason, not our call stack.
 */
final class ErrorHandler implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, ParseResult parseResult) {
        var err = commandLine.getErr();
        String message;
        int code = CliException.FAILED;
        if (e instanceof CliException cli) {
            message = cli.getMessage();
            code = cli.exitCode();
        } else if (e instanceof ManifestException || e instanceof ChainException) {
            message = e.getMessage();
        } else if (e instanceof UncheckedIOException io) {
            message = io.getMessage() + (io.getCause() != null ? ": " + io.getCause().getMessage() : "");
        } else if (e instanceof IllegalArgumentException) {
            message = e.getMessage();
        } else {
            message = "unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        err.println("error: " + message);
        if ("1".equals(System.getenv("SPHERON_DEBUG"))) {
            e.printStackTrace(err);
        }
        err.flush();
        return code;
    }
}
