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

    /** The TEE types the provider runs ({@code spheron.operator.tee-runtime-classes}), parsed once for every user. */
    @Produces
    @Singleton
    TeeRuntimes teeRuntimes(OperatorConfig config) {
        return TeeRuntimes.parse(config.teeRuntimeClasses().orElse(List.of()));
    }

    /** The addresses the provider leases ({@code spheron.operator.ip-pool}), parsed once for every user. */
    @Produces
    @Singleton
    IpPool ipPool(OperatorConfig config) {
        return IpPool.parse(config.ipPool());
    }

    /**
     * The storage classes ({@code spheron.operator.storage-classes}) and TEE types the provider maps, how many
     * addresses it leases, and the RuntimeClass its GPU pods get: the bid engine's filter.
     */
    @Produces
    @Singleton
    ProviderCapabilities capabilities(OperatorConfig config, KubernetesClient client, TeeRuntimes teeRuntimes,
            IpPool ipPool) {
        Map<String, String> tee = teeRuntimes.byType();
        Map<String, String> runtimeClasses = new java.util.HashMap<>(tee);
        config.runtimeClass().filter(name -> !name.isBlank())
                .ifPresent(name -> runtimeClasses.put(ProviderCapabilities.GPU_RUNTIME, name));
        return new ProviderCapabilities(config.storageClasses().keySet(), tee.keySet(),
                TeeNodes.fromRuntimeClasses(client, runtimeClasses), ipPool.size(), config.runtimeClass());
    }

    void close(@Disposes ClusterInventory inventory) {
        inventory.close();
    }
}
