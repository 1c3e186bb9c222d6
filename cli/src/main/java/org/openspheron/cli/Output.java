package org.openspheron.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Where a command prints. For people: lines on stdout. With {@code --json}: exactly one JSON document on stdout,
 * and the progress lines on stderr, so scripts can pipe stdout into {@code jq} while people still see progress.
 */
final class Output {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean json;

    Output(CommandSpec spec, boolean json) {
        this.out = spec.commandLine().getOut();
        this.err = spec.commandLine().getErr();
        this.json = json;
    }

    boolean json() {
        return json;
    }

    /** A result line for people; nothing in JSON mode. */
    void line(String text) {
        if (!json) {
            out.println(text);
            out.flush();
        }
    }

    /** Progress: stdout for people, stderr in JSON mode. */
    void progress(String text) {
        PrintWriter target = json ? err : out;
        target.println(text);
        target.flush();
    }

    void warn(String text) {
        err.println("warning: " + text);
        err.flush();
    }

    /** The JSON result; nothing for people. */
    void result(Object value) {
        if (json) {
            try {
                out.println(JSON.writeValueAsString(value));
            } catch (JsonProcessingException e) {
                throw new CliException("cannot write JSON: " + e.getMessage());
            }
            out.flush();
        }
    }

    PrintWriter out() {
        return out;
    }
}
