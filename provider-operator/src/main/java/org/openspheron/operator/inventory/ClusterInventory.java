package org.openspheron.operator.inventory;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The cluster's nodes and pods as the operator sees them: two informers (a LIST, then a WATCH that follows every
 * change), shared by the bid engine, the registration, the gateway and the GPUDeployment reconciler. Reading the
 * inventory costs no API call; what a restart or a lost watch could make stale is relisted by the informers
 * themselves, and while a watch is down the inventory is reported unavailable rather than served stale, so nothing
 * is bid on a view of the cluster the operator cannot vouch for.
 *
 * <p>Node heartbeats (condition timestamps, every few seconds on a large cluster) do not count as changes: only
 * what decides placement does (labels, taints, allocatable, cordon, readiness), and those wake
 * {@link #onNodeChange(Runnable) listeners}.
 */
public final class ClusterInventory implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ClusterInventory.class);
    /** How long a first read waits for the initial LIST of nodes and pods. */
    private static final Duration SYNC_WAIT = Duration.ofSeconds(30);

    private final KubernetesClient client;
    private final PodTolerations tolerations;
    private final List<Runnable> nodeListeners = new CopyOnWriteArrayList<>();
    private SharedIndexInformer<Node> nodes;
    private SharedIndexInformer<Pod> pods;
    private boolean closed;

    public ClusterInventory(KubernetesClient client) {
        this(client, PodTolerations.DEFAULT);
    }

    /** @param tolerations what the operator's pods tolerate: decides which nodes count for which orders */
    public ClusterInventory(KubernetesClient client, PodTolerations tolerations) {
        this.client = client;
        this.tolerations = tolerations;
    }

    /** Starts the informers (once); reads start them too. Returns at once: the first LIST runs in the background. */
    public synchronized ClusterInventory start() {
        if (closed) {
            throw new IllegalStateException("the cluster inventory is closed");
        }
        if (nodes == null) {
            nodes = client.nodes().runnableInformer(0);
            nodes.addEventHandler(new NodeChanges());
            pods = client.pods().inAnyNamespace().runnableInformer(0);
            nodes.start();
            pods.start();
            LOG.debugf("watching nodes and pods of %s", client.getMasterUrl());
        }
        return this;
    }

    /** The inventory now, before any claims. Throws {@link InventoryUnavailableException} when the cluster's view is not current. */
    public Inventory read() {
        awaitCurrent();
        return Inventory.of(nodes.getStore().list(), pods.getStore().list(), tolerations);
    }

    /** Every node, from the informer's cache. Throws {@link InventoryUnavailableException} like {@link #read()}. */
    public List<Node> nodes() {
        awaitCurrent();
        return nodes.getStore().list();
    }

    /** A pod as the informer last saw it (for waiting until the cache caught up with a write). */
    public Optional<Pod> cachedPod(String namespace, String name) {
        start();
        return Optional.ofNullable(pods.getStore().getByKey(namespace + "/" + name));
    }

    /** Runs {@code listener} (on the informer's thread: keep it short) whenever a node appears, goes or changes what it offers. */
    public void onNodeChange(Runnable listener) {
        nodeListeners.add(listener);
    }

    /**
     * Waits until both informers listed and watch: up to {@link #SYNC_WAIT} (the first LIST, or a watch being
     * re-established after the API server went away). A view that stays unwatched is refused, not served stale.
     */
    private void awaitCurrent() {
        start();
        long deadline = System.nanoTime() + SYNC_WAIT.toNanos();
        while (!current() && System.nanoTime() < deadline) {
            try {
                TimeUnit.MILLISECONDS.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InventoryUnavailableException("interrupted while listing nodes and pods", e);
            }
        }
        if (!nodes.hasSynced() || !pods.hasSynced()) {
            throw new InventoryUnavailableException("cannot list nodes and pods from the API server at "
                    + client.getMasterUrl() + " within " + SYNC_WAIT.toSeconds() + "s", null);
        }
        if (!current()) {
            throw new InventoryUnavailableException("the watch on nodes and pods of " + client.getMasterUrl()
                    + " has been down for " + SYNC_WAIT.toSeconds() + "s (reconnecting); the cached view may be stale", null);
        }
    }

    private boolean current() {
        return nodes.hasSynced() && pods.hasSynced() && nodes.isWatching() && pods.isWatching();
    }

    /**
     * Whether the view is current now (listed once, both watches up), without waiting: for a readiness probe.
     * Starts the informers if nothing did yet.
     */
    public boolean watching() {
        start();
        return current();
    }

    /** The API server this inventory watches. */
    public String apiServer() {
        return client.getMasterUrl().toString();
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (nodes != null) {
            try {
                nodes.close();
                pods.close();
            } catch (KubernetesClientException e) {
                LOG.debugf("closing the node and pod informers: %s", e.getMessage());
            }
        }
    }

    /**
     * What of a node decides placement, inventory and lease egress; a change in anything else (heartbeats) is not a
     * change.
     */
    static Object placementView(Node node) {
        var spec = node.getSpec();
        var status = node.getStatus();
        String ready = status == null || status.getConditions() == null ? null : status.getConditions().stream()
                .filter(c -> "Ready".equals(c.getType())).map(NodeCondition::getStatus).findFirst().orElse(null);
        return List.of(Optional.ofNullable(node.getMetadata().getLabels()).orElse(Map.of()),
                spec == null ? List.of() : Optional.ofNullable(spec.getTaints()).orElse(List.of()),
                spec == null ? Boolean.FALSE : Boolean.TRUE.equals(spec.getUnschedulable()),
                status == null ? Map.of() : Optional.ofNullable(status.getAllocatable()).orElse(Map.of()),
                Optional.ofNullable(ready).orElse(""),
                // the addresses lease pods may not reach (LeaseEgress)
                status == null ? List.of() : Optional.ofNullable(status.getAddresses()).orElse(List.of()));
    }

    private final class NodeChanges implements ResourceEventHandler<Node> {
        @Override
        public void onAdd(Node node) {
            fire();
        }

        @Override
        public void onUpdate(Node before, Node after) {
            if (!Objects.equals(placementView(before), placementView(after))) {
                fire();
            }
        }

        @Override
        public void onDelete(Node node, boolean finalStateUnknown) {
            fire();
        }

        private void fire() {
            for (Runnable listener : nodeListeners) {
                try {
                    listener.run();
                } catch (RuntimeException e) {
                    LOG.warnf(e, "a node change listener failed");
                }
            }
        }
    }
}
