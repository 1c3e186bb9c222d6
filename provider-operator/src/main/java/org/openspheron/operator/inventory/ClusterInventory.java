package org.openspheron.operator.inventory;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Reads the inventory from the API server: all nodes and all pods, each time. A provider's cluster has tens of
 * nodes and a few thousand pods at most, and a fresh list is what keeps the inventory honest after a crash or a
 * node that disappeared; an informer cache would save the list calls when that stops being true.
 */
public final class ClusterInventory {
    private final KubernetesClient client;

    public ClusterInventory(KubernetesClient client) {
        this.client = client;
    }

    /** The inventory now, before any claims. Throws {@link InventoryUnavailableException} when the API server does not answer. */
    public Inventory read() {
        try {
            return Inventory.of(client.nodes().list().getItems(), client.pods().inAnyNamespace().list().getItems());
        } catch (KubernetesClientException e) {
            throw new InventoryUnavailableException("cannot list nodes and pods from the API server at "
                    + client.getMasterUrl() + ": " + e.getMessage(), e);
        }
    }
}
