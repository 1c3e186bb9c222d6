package org.openspheron.operator.lease;

import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import io.fabric8.kubernetes.client.CustomResource;

/**
 * An on-chain lease mirrored into the provider's cluster. Cluster-scoped on purpose: the lease owns a namespace of
 * its own (a cluster-scoped object), so it cannot live inside one, and a provider sees all leases with a plain
 * {@code kubectl get spheronleases}. The object's name is {@code lease-<leaseId>}.
 */
@Group("openspheron.org")
@Version("v1alpha1")
@ShortNames({"sl", "slease"})
public class SpheronLease extends CustomResource<SpheronLeaseSpec, SpheronLeaseStatus> {
    /** The conventional object (and namespace) name for an on-chain lease id. */
    public static String nameFor(long leaseId) {
        return "lease-" + leaseId;
    }
}
