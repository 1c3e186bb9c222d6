package org.openspheron.cli;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openspheron.chain.Lease;
import org.openspheron.contracts.generated.DeploymentOrder;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code spheron close LEASE}: ends the lease on chain (the provider is paid what accrued, the rest is refunded),
 * then asks the provider's gateway to tear the deployment down. The chain is what counts; the gateway call is a
 * courtesy and only warns when it fails, as the provider also sees the closed lease on chain.
 */
@Command(name = "close", description = "Close a lease on chain (refunding the rest of the escrow) and tear its deployment down.")
public class CloseCommand extends ChainCommand {
    @Parameters(paramLabel = "LEASE", description = "The lease id.")
    long leaseId;

    @Override
    public Integer call() {
        Output output = output();
        Home home = common.home();
        try (ChainSession chain = openChain()) {
            Lease lease = chain.lease(leaseId);
            if (!lease.tenant().equalsIgnoreCase(chain.address())) {
                throw new CliException("lease " + leaseId + " belongs to " + lease.tenant() + ", not to " + chain.address());
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("leaseId", leaseId);
            if (lease.isActive()) {
                TransactionReceipt receipt = chain.tenant().closeLease(leaseId);
                var closed = DeploymentOrder.getLEASE_CLOSEDEvents(receipt).stream().findFirst();
                BigInteger paid = closed.map(e -> e.paidToProvider).orElse(BigInteger.ZERO);
                BigInteger refunded = closed.map(e -> e.refunded).orElse(BigInteger.ZERO);
                output.line("closed       lease " + leaseId + ": " + chain.tokens(paid) + " to the provider, "
                        + chain.tokens(refunded) + " refunded");
                result.put("paidToProvider", TokenAmount.plain(paid));
                result.put("refunded", TokenAmount.plain(refunded));
            } else {
                output.line("lease " + leaseId + " is already " + lease.state() + " on chain");
            }
            result.put("state", chain.reader().requireLease(leaseId).state().name());
            try {
                GatewayClient.forLease(chain, lease, home.identity()).delete(leaseId);
                output.line("teardown     requested from the provider's gateway");
                result.put("teardownRequested", true);
            } catch (CliException e) {
                output.warn("the provider's gateway was not told (" + e.getMessage() + "); it will see the closed lease on chain");
                result.put("teardownRequested", false);
            }
            output.result(result);
            return 0;
        }
    }
}
