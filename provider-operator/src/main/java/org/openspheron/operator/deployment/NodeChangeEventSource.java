package org.openspheron.operator.deployment;

import io.fabric8.kubernetes.api.model.Node;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.openspheron.operator.inventory.ClusterInventory;

/**
 * Wakes the GPUDeployments that wait for a node (a GPU model no node offers yet) when a node appears or changes
 * what it offers. Nodes are not secondary resources of a deployment: only the waiting ones are woken, so a node
 * change never fans out to every deployment.
 */
final class NodeChangeEventSource extends AbstractEventSource<Node, GPUDeployment> {
    private final ClusterInventory inventory;
    private final Set<ResourceID> waiting = ConcurrentHashMap.newKeySet();
    private boolean listening;

    NodeChangeEventSource(ClusterInventory inventory) {
        super(Node.class, "gpudeployment-node-changes");
        this.inventory = inventory;
    }

    @Override
    public synchronized void start() {
        if (!listening) {
            inventory.onNodeChange(this::wakeWaiting);
            listening = true;
        }
        super.start();
    }

    /** Marks {@code deployment} as waiting for a node change, or no longer waiting. */
    void waiting(ResourceID deployment, boolean waits) {
        if (waits) {
            waiting.add(deployment);
        } else {
            waiting.remove(deployment);
        }
    }

    private void wakeWaiting() {
        if (!isRunning()) {
            return;
        }
        for (ResourceID id : waiting) {
            getEventHandler().handleEvent(new Event(id));
        }
    }

    @Override
    public Set<Node> getSecondaryResources(GPUDeployment primary) {
        return Set.of();
    }
}
