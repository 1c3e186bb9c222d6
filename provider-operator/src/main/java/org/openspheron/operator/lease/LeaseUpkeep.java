package org.openspheron.operator.lease;

import java.time.Duration;

/**
 * How long the lease reconciler waits before it calls a namespace stuck and before it removes an ended lease's object.
 *
 * @param namespaceStuckAfter a lease namespace Terminating longer than this gets the {@code NamespaceStuckTerminating}
 *        condition, a Warning Event and a count in the {@code spheron_operator_namespaces_stuck_terminating} gauge:
 *        something in it (a finalizer whose controller is gone, an API service that does not answer) keeps the
 *        namespace controller from finishing, and only the provider can remove it
 * @param closedLeaseRetention a SpheronLease whose lease ended on chain and whose namespace is gone is deleted this
 *        long after: long enough to read what happened with {@code kubectl get}, short enough that months of leases
 *        do not pile up in the informers' caches
 */
public record LeaseUpkeep(Duration namespaceStuckAfter, Duration closedLeaseRetention) {
    public static final LeaseUpkeep DEFAULT = new LeaseUpkeep(Duration.ofMinutes(15), Duration.ofDays(7));

    public LeaseUpkeep {
        if (namespaceStuckAfter.isNegative() || closedLeaseRetention.isNegative()) {
            throw new IllegalArgumentException("lease upkeep durations must not be negative");
        }
    }
}
