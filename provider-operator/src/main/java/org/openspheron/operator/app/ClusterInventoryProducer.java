package org.openspheron.operator.app;

import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import org.openspheron.operator.bidding.ProviderCapabilities;
import org.openspheron.operator.bidding.TeeNodes;
import org.openspheron.operator.config.IpPool;
import org.openspheron.operator.gateway.TeeRuntimes;
import org.openspheron.operator.inventory.ClusterInventory;
import org.openspheron.operator.inventory.PodTolerations;

/**
 * One {@link ClusterInventory} per process: the reconcilers, the bid engine, the registration and the gateway read
 * the same node and pod informers. They start on first use, so a process that neither bids nor reconciles watches
 * nothing.
 */
@ApplicationScoped
public class ClusterInventoryProducer {
    @Produces
    @Singleton
    ClusterInventory inventory(KubernetesClient client, PodTolerations tolerations) {
        return new ClusterInventory(client, tolerations);
    }

    /** The provider's extra tolerations ({@code spheron.operator.tolerations}) with the GPU taint's. */
    @Produces
    @Singleton
    PodTolerations tolerations(OperatorConfig config) {
        return PodTolerations.of(config.tolerations().orElse(List.of()));
    }

    /**
     * The storage classes ({@code spheron.operator.storage-classes}) and TEE types
     * ({@code spheron.operator.tee-runtime-classes}) the provider maps, and how many addresses it leases
     * ({@code spheron.operator.ip-pool}): the bid engine's filter.
     */
    @Produces
    @Singleton
    ProviderCapabilities capabilities(OperatorConfig config, KubernetesClient client) {
        Map<String, String> tee = TeeRuntimes.parse(config.teeRuntimeClasses().orElse(List.of())).byType();
        return new ProviderCapabilities(config.storageClasses().keySet(), tee.keySet(),
                TeeNodes.fromRuntimeClasses(client, tee), IpPool.parse(config.ipPool()).size());
    }

    void close(@Disposes ClusterInventory inventory) {
        inventory.close();
    }
}
