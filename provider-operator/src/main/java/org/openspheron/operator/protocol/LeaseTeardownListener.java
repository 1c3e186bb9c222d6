package org.openspheron.operator.protocol;

/**
 * Told by the lease reconciler when a lease's workload is gone from the cluster, so the freed GPUs are offered
 * again at once rather than at the next block. Purely a hint: the bid engine reads the cluster on every pass.
 */
public interface LeaseTeardownListener {
    void leaseTornDown(long leaseId);
}
