package org.openspheron.cli;

import org.openspheron.chain.Lease;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code spheron logs LEASE}: the containers' output, from the provider's gateway. */
@Command(name = "logs", description = "Print a lease's container logs (lines prefixed with the pod name).")
public class LogsCommand extends ChainCommand {
    @Parameters(paramLabel = "LEASE", description = "The lease id.")
    long leaseId;

    @Option(names = "--service", paramLabel = "S", description = "Only this service's logs.")
    String service;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new lines until the lease closes or Ctrl-C.")
    boolean follow;

    @Option(names = "--tail", defaultValue = "100", description = "Lines from the end to start with (default: ${DEFAULT-VALUE}).")
    int tail;

    @Override
    public Integer call() {
        Home home = common.home();
        var out = spec.commandLine().getOut();
        try (ChainSession chain = openChain()) {
            Lease lease = chain.lease(leaseId);
            GatewayClient.forLease(chain, lease, home.identity()).logs(leaseId, service, tail, follow, line -> {
                out.println(line);
                out.flush();
            });
            return 0;
        }
    }
}
