package org.openspheron.cli;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code spheron}: the user's side of the protocol, from a manifest to a running, paid-for deployment. */
@TopCommand
@Command(name = "spheron", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, version = "spheron 0.1.0",
        description = "Deploy containers on Open Spheron GPU providers: orders and escrow on chain, manifests over mutual TLS.",
        subcommands = {
                ValidateCommand.class,
                KeysCommand.class,
                CertCommand.class,
                AccountCommand.class,
                DeployCommand.class,
                StatusCommand.class,
                LogsCommand.class,
                CloseCommand.class,
                TopUpCommand.class,
                ClaimCommand.class,
                OrdersCommand.class,
                LeasesCommand.class,
                CancelCommand.class,
                ProtocolCommand.class,
        })
public class SpheronCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The behaviour every entry point shares: one-line errors with exit codes, case-insensitive enums. */
    public static CommandLine configure(CommandLine commandLine) {
        return commandLine
                .setExecutionExceptionHandler(new ErrorHandler())
                .setCaseInsensitiveEnumValuesAllowed(true);
    }
}
