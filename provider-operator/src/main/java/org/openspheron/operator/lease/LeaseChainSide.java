package org.openspheron.operator.lease;

/**
 * Where the Kubernetes side asks and tells the chain side about a lease. The lease reconciler keeps a finalizer on
 * every SpheronLease; when the object is deleted it first asks {@link #activeOnChain}: a lease the chain still holds
 * and the provider did not mark to give up ({@link SpheronLease#GIVE_UP}) keeps its namespace and workload, and the
 * lease watcher mirrors the object back. Otherwise the namespace goes and {@link #leaseRemoved} is called before the
 * finalizer is released, so a lease deleted in the cluster is never forgotten by the chain side. The protocol side
 * provides an {@code @ApplicationScoped} implementation; without one, {@link NoChainSide} keeps the cluster side
 * working alone (tests, a cluster tried out without a chain).
 *
 * <p>Implementations must be idempotent: after a crash the calls may repeat. Throwing keeps the finalizer, and the
 * reconciler retries with backoff.
 */
public interface LeaseChainSide {
    /**
     * Whether the chain still holds the lease as this provider's active lease, so a plain delete of its object must
     * leave the tenant's workload running. Throws when the chain cannot be asked: the object then waits rather than
     * a paid lease losing its workload, or a closed one keeping its namespace for ever.
     */
    boolean activeOnChain(SpheronLease lease) throws Exception;

    /**
     * The lease object is being deleted and its namespace is gone or going: the lease ended on chain, or the provider
     * marked it to give up ({@link SpheronLease#giveUpRequested()}). If marked and its
     * {@code spec.chainState} is still {@code Active}, close it on chain.
     */
    void leaseRemoved(SpheronLease lease) throws Exception;
}
