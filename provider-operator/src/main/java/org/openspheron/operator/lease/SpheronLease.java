package org.openspheron.operator.lease;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
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
// The CRD generator writes printer columns sorted by JSON path, whatever the order here: kubectl shows them so.
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Lease", jsonPath = ".spec.leaseId", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "GPUs", jsonPath = ".spec.resources.gpuCount", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Model", jsonPath = ".spec.resources.gpuModel", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Tenant", jsonPath = ".spec.tenant", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
public class SpheronLease extends CustomResource<SpheronLeaseSpec, SpheronLeaseStatus> {
    /** The conventional object (and namespace) name for an on-chain lease id. */
    public static String nameFor(long leaseId) {
        return "lease-" + leaseId;
    }

    /** The namespace the lease's workload runs in: the same name as the lease object. */
    public String namespaceName() {
        return nameFor(getSpec().getLeaseId());
    }
}
