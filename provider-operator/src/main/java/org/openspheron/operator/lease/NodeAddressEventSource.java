package org.openspheron.operator.lease;

import io.fabric8.kubernetes.api.model.Node;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.Cache;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jboss.logging.Logger;
import org.openspheron.operator.inventory.ClusterInventory;

/**
 * Re-reconciles every lease when the addresses its pods must not reach change (a node joined, left or got a new
 * address), so each lease's {@code lease-traffic} policy blocks the new node at once rather than at the next resync.
 * Node changes that leave the blocked addresses as they were (labels, GPUs, readiness) wake nothing.
 */
final class NodeAddressEventSource extends AbstractEventSource<Node, SpheronLease> {
    private static final Logger LOG = Logger.getLogger(NodeAddressEventSource.class);

    private final ClusterInventory inventory;
    private final LeaseEgress egress;
    private final Cache<SpheronLease> leases;
    private List<String> last;
    private boolean listening;

    NodeAddressEventSource(ClusterInventory inventory, LeaseEgress egress, Cache<SpheronLease> leases) {
        super(Node.class, "spheronlease-node-addresses");
        this.inventory = inventory;
        this.egress = egress;
        this.leases = leases;
    }

    @Override
    public synchronized void start() {
        if (!listening) {
            inventory.onNodeChange(this::nodesChanged);
            listening = true;
        }
        super.start();
    }

    private synchronized void nodesChanged() {
        if (!isRunning()) {
            return;
        }
        List<String> now;
        try {
            now = egress.except();
        } catch (RuntimeException e) {
            LOG.debugf("cannot read the nodes' addresses now: %s", e.getMessage());
            return;
        }
        if (last != null && !Objects.equals(last, now)) {
            LOG.infof("the addresses lease pods may not reach changed to %s: updating every lease's network policy", now);
            leases.keys().forEach(id -> getEventHandler().handleEvent(new Event(id)));
        }
        last = now;
    }

    @Override
    public Set<Node> getSecondaryResources(SpheronLease primary) {
        return Set.of();
    }
}
