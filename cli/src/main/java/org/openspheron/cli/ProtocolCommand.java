package org.openspheron.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code spheron protocol deploy|verify|operators}: what the protocol's deployer and the operator set's owner do. */
@Command(name = "protocol", description = "Deploy the protocol's contracts, verify a deployment, manage the matchmaker operator set.",
        subcommands = {ProtocolDeployCommand.class, ProtocolVerifyCommand.class, OperatorsCommand.class})
public class ProtocolCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
