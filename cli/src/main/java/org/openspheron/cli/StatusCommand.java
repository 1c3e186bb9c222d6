package org.openspheron.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openspheron.chain.Lease;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code spheron status LEASE}: the lease on chain, and its deployment as the provider's gateway reports it. */
@Command(name = "status", description = "Show a lease: escrow and state on chain, phase, URLs and ports from the provider.")
public class StatusCommand extends ChainCommand {
    @Parameters(paramLabel = "LEASE", description = "The lease id.")
    long leaseId;

    @Override
    public Integer call() {
        Output output = output();
        Home home = common.home();
        try (ChainSession chain = openChain()) {
            Lease lease = chain.lease(leaseId);
            LeaseView.chain(output, chain, lease);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("leaseId", lease.id());
            result.put("orderId", lease.orderId());
            result.put("state", lease.state().name());
            result.put("provider", lease.provider());
            result.put("pricePerHour", TokenAmount.plain(lease.pricePerHour()));
            result.put("balance", TokenAmount.plain(lease.balance()));
            result.put("paid", TokenAmount.plain(lease.paid()));
            result.put("confirmedAt", lease.confirmedAt());
            result.put("endsAt", lease.endsAt());
            if (lease.isActive()) {
                try {
                    JsonNode status = GatewayClient.forLease(chain, lease, home.identity()).status(leaseId);
                    LeaseView.deployment(output, status);
                    result.put("deployment", status);
                } catch (GatewayException e) {
                    output.warn(e.getMessage());
                    result.put("deploymentError", e.getMessage());
                }
            }
            output.result(result);
            return 0;
        }
    }
}
