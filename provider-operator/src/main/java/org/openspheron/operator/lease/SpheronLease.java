package org.openspheron.operator.lease;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

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
@AdditionalPrinterColumn(name = "Confirmed", jsonPath = ".status.confirmedOnChain", type = AdditionalPrinterColumn.Type.BOOLEAN)
public class SpheronLease extends CustomResource<SpheronLeaseSpec, SpheronLeaseStatus> {
    /**
     * The provider's mark that deleting this object gives the lease up: closes it on chain and removes its namespace
     * ({@code kubectl annotate spheronlease lease-7 openspheron.org/give-up=true}, then delete it). An annotation,
     * not a spec field: the spec is the chain's and the lease watcher writes it back.
     */
    public static final String GIVE_UP = "openspheron.org/give-up";

    /** The conventional object (and namespace) name for an on-chain lease id. */
    public static String nameFor(long leaseId) {
        return "lease-" + leaseId;
    }

    /**
     * Sets {@code spec.chainState} of the SpheronLease {@code name} with a merge patch that carries no
     * resourceVersion. The lease watcher and the gateway (a tenant's tear-down) both mark an ended lease, often within
     * the same second; with {@code edit()} each sent the version it had read, and the slower one failed with 409
     * Conflict ("the object has been modified"), which the gateway answered as 503 to the tenant. Setting one field to
     * a value both agree on needs no lock.
     */
    public static void markChainState(KubernetesClient client, String name, SpheronLeaseSpec.ChainState state) {
        client.resources(SpheronLease.class).withName(name)
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"chainState\":\"" + state.name() + "\"}}");
    }

    /** Whether the provider marked the lease to be given up when its object is deleted ({@link #GIVE_UP}). */
    public boolean giveUpRequested() {
        var annotations = getMetadata().getAnnotations();
        return annotations != null && "true".equalsIgnoreCase(annotations.get(GIVE_UP));
    }

    /** The namespace the lease's workload runs in: the same name as the lease object. */
    public String namespaceName() {
        return nameFor(getSpec().getLeaseId());
    }
}
