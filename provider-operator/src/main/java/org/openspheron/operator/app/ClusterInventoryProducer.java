package org.openspheron.operator.app;

import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.openspheron.operator.inventory.ClusterInventory;

/**
 * One {@link ClusterInventory} per process: the reconcilers, the bid engine, the registration and the gateway read
 * the same node and pod informers. They start on first use, so a process that neither bids nor reconciles watches
 * nothing.
 */
@ApplicationScoped
public class ClusterInventoryProducer {
    @Produces
    @Singleton
    ClusterInventory inventory(KubernetesClient client) {
        return new ClusterInventory(client);
    }

    void close(@Disposes ClusterInventory inventory) {
        inventory.close();
    }
}
