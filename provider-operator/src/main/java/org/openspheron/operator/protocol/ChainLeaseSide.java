package org.openspheron.operator.protocol;

import jakarta.enterprise.context.ApplicationScoped;
import org.openspheron.operator.lease.LeaseChainSide;
import org.openspheron.operator.lease.SpheronLease;
import org.openspheron.operator.lease.SpheronLeaseSpec.ChainState;

/**
 * The protocol side of a SpheronLease's finalizer. Deleting the object is not giving the lease up: a paid lease
 * outlives a {@code kubectl delete} or a CRD reinstall, and the lease watcher mirrors its object back. Only a lease
 * the provider marked ({@link SpheronLease#GIVE_UP}) is closed on chain when its object goes; either way the freed
 * GPUs are offered again at once.
 */
@ApplicationScoped
public class ChainLeaseSide implements LeaseChainSide {
    private final ProviderNode node;

    ChainLeaseSide(ProviderNode node) {
        this.node = node;
    }

    /** With the protocol side off, nothing on chain holds the lease and nothing would mirror it back. */
    @Override
    public boolean activeOnChain(SpheronLease lease) {
        return node.enabled() && node.activeOnChain(lease.getSpec().getLeaseId());
    }

    @Override
    public void leaseRemoved(SpheronLease lease) {
        long leaseId = lease.getSpec().getLeaseId();
        if (node.enabled() && lease.giveUpRequested() && lease.getSpec().getChainState() == ChainState.Active) {
            node.giveUp(leaseId);
        }
        node.leaseTornDown(leaseId);
    }
}
