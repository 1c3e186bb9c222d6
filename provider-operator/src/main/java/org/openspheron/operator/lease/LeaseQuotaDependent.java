package org.openspheron.operator.lease;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openspheron.manifest.ManifestLimits;
import org.openspheron.operator.crd.KubeQuantity;
import org.openspheron.operator.crd.ObjectLabels;

/**
 * A quota equal to what the order bought, so a tenant cannot take more of the node than they pay for whatever
 * the manifest says. The order has one storage figure (ephemeral plus persistent); a quota cannot bound a sum of
 * two resources, so each of them is bounded by the whole figure. Ephemeral storage is bounded on requests only:
 * a quota on its limits would make a limit mandatory, and a service that asked for none has no figure to set.
 */
final class LeaseQuotaDependent extends LeaseOwnedDependent<ResourceQuota> {
    static final String NAME = "lease-quota";

    LeaseQuotaDependent() {
        super(ResourceQuota.class);
    }

    @Override
    protected ResourceQuota desired(SpheronLease lease, Context<SpheronLease> context) {
        return new ResourceQuotaBuilder()
                .withNewMetadata().withName(NAME).withNamespace(lease.namespaceName()).withLabels(labels(lease)).endMetadata()
                .withNewSpec().withHard(hard(lease.getSpec().getResources())).endSpec()
                .build();
    }

    static Map<String, Quantity> hard(LeaseResources ordered) {
        Map<String, Quantity> hard = new LinkedHashMap<>();
        // Canonical forms: the server stores 4000m as 4, and a quota that never matches would be re-applied forever.
        Quantity cpu = KubeQuantity.cpu(ordered.getCpuMilli());
        Quantity memory = KubeQuantity.mebibytes(ordered.getMemoryMb());
        Quantity storage = KubeQuantity.mebibytes(ordered.getStorageMb());
        hard.put("requests.cpu", cpu);
        hard.put("limits.cpu", cpu);
        hard.put("requests.memory", memory);
        hard.put("limits.memory", memory);
        hard.put("requests.ephemeral-storage", storage);
        hard.put("requests.storage", storage);
        hard.put("requests." + ObjectLabels.GPU_RESOURCE, KubeQuantity.count(ordered.getGpuCount()));
        // Node ports are one range shared by every tenant of the cluster: a lease gets what one manifest may expose.
        hard.put("services.nodeports", KubeQuantity.count(ManifestLimits.MAX_GLOBAL_PORTS));
        hard.put("services.loadbalancers", KubeQuantity.count(ManifestLimits.MAX_GLOBAL_PORTS));
        return hard;
    }
}
