package org.openspheron.operator.lease;

/**
 * Where the Kubernetes side tells the chain side about a lease. The lease reconciler keeps a finalizer on every
 * SpheronLease and calls {@link #leaseRemoved} before releasing it, so a lease deleted in the cluster (by hand, or
 * by the lease watcher after it closed on chain) is never forgotten by the chain side. The protocol side
 * provides an {@code @ApplicationScoped} implementation; without one, {@link NoChainSide} keeps the cluster side
 * working alone (tests, a cluster tried out without a chain).
 *
 * <p>Implementations must be idempotent: after a crash the call may repeat. Throwing keeps the finalizer, and the
 * reconciler retries with backoff.
 */
public interface LeaseChainSide {
    /**
     * The lease object is being deleted and its namespace is gone or going. If {@code lease.getSpec().getChainState()}
     * is still {@code Active}, the provider is giving the lease up: close it on chain.
     */
    void leaseRemoved(SpheronLease lease) throws Exception;
}
