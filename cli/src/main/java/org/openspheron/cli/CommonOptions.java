package org.openspheron.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options of every command: where the keys live and how to print. */
public class CommonOptions {
    @Option(names = "--home", paramLabel = "DIR", defaultValue = "${env:SPHERON_HOME}",
            description = "Where keys and certificates live (default: $SPHERON_HOME, else ~/.spheron).")
    Path home;

    @Option(names = "--json", description = "Print machine-readable JSON on stdout (progress goes to stderr).")
    boolean json;

    Home home() {
        return new Home(home != null ? home : Path.of(System.getProperty("user.home"), ".spheron"));
    }
}
