package org.openspheron.cli;

import io.quarkus.picocli.runtime.PicocliCommandLineFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import picocli.CommandLine;

/** Gives Quarkus' command line the same error handling as {@link SpheronCommand#configure}. */
@ApplicationScoped
class CommandLineSetup {
    @Produces
    CommandLine commandLine(PicocliCommandLineFactory factory) {
        return SpheronCommand.configure(factory.create());
    }
}
