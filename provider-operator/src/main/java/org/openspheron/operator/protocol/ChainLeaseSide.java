package org.openspheron.operator.protocol;

import jakarta.enterprise.context.ApplicationScoped;
import org.openspheron.operator.lease.LeaseChainSide;
import org.openspheron.operator.lease.SpheronLease;
import org.openspheron.operator.lease.SpheronLeaseSpec.ChainState;

/**
 * The protocol side of a SpheronLease's finalizer. A lease deleted while the chain still has it active is one the
 * provider gives up: it is closed on chain, or the lease watcher would mirror it straight back and the tenant would
 * keep paying for nothing. Either way the freed GPUs are offered again at once.
 */
@ApplicationScoped
public class ChainLeaseSide implements LeaseChainSide {
    private final ProviderNode node;

    ChainLeaseSide(ProviderNode node) {
        this.node = node;
    }

    @Override
    public void leaseRemoved(SpheronLease lease) {
        long leaseId = lease.getSpec().getLeaseId();
        if (node.enabled() && lease.getSpec().getChainState() == ChainState.Active) {
            node.giveUp(leaseId);
        }
        node.leaseTornDown(leaseId);
    }
}
