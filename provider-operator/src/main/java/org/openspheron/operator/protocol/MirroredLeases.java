package org.openspheron.operator.protocol;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jboss.logging.Logger;
import org.openspheron.operator.lease.SpheronLease;
import org.openspheron.operator.lease.SpheronLeaseStatus;

/**
 * The cluster's SpheronLeases as the lease watcher reads them on every pass: from an informer (one LIST, then a
 * WATCH), not a LIST of every lease object per block, which on a provider with many leases and a 2-second chain
 * was the operator's largest steady load on the API server.
 *
 * <p>The cache is served only while it is current: before the first LIST completed, or while the watch is down
 * (API server away, reconnecting), a pass LISTs as before, so a pass never acts on a view older than the moment
 * it started. The cache may trail a write by the few milliseconds the watch takes; the lease watcher copes with
 * that (an object it just created answers 409 on a second create, and it reads that one instead), and a status
 * change seen a pass late only delays what it triggers by one pass.
 *
 * <p>A lease's object changing phase wakes the listeners (the lease duty): a workload that became Running is
 * confirmed on chain at once instead of at the next poll.
 */
final class MirroredLeases implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(MirroredLeases.class);

    private final KubernetesClient client;
    private final List<Runnable> phaseListeners = new CopyOnWriteArrayList<>();
    private SharedIndexInformer<SpheronLease> informer;
    private boolean listing;
    private boolean closed;

    MirroredLeases(KubernetesClient client) {
        this.client = client;
    }

    /** Starts the informer (once); returns at once, the first LIST runs in the background. */
    synchronized MirroredLeases start() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (informer == null) {
            informer = client.resources(SpheronLease.class).runnableInformer(0);
            informer.addEventHandler(new PhaseChanges());
            informer.start();
        }
        return this;
    }

    /** Every SpheronLease: the informer's cache while it is current, else a LIST (which throws if the API server is away). */
    List<SpheronLease> list() {
        start();
        if (current()) {
            if (listing) {
                listing = false;
                LOG.infof("SpheronLeases are read from the watch again");
            }
            return informer.getStore().list();
        }
        if (!listing) {
            listing = true;
            LOG.infof("the watch on SpheronLeases is not current (starting, or the API server at %s went away): "
                    + "lease passes LIST them until it is", client.getMasterUrl());
        }
        return client.resources(SpheronLease.class).list().getItems();
    }

    /** Whether the cache holds what the API server held when the watch last reported: listed once, and watching. */
    synchronized boolean current() {
        return informer != null && informer.hasSynced() && informer.isWatching();
    }

    /** Runs {@code listener} (on the informer's thread: keep it short) when a SpheronLease appears, goes or changes phase. */
    void onPhaseChange(Runnable listener) {
        phaseListeners.add(listener);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (informer != null) {
            informer.stop();
            informer = null;
        }
    }

    private final class PhaseChanges implements ResourceEventHandler<SpheronLease> {
        @Override
        public void onAdd(SpheronLease lease) {
            notifyListeners();
        }

        @Override
        public void onUpdate(SpheronLease before, SpheronLease after) {
            if (!Objects.equals(phase(before), phase(after))) {
                notifyListeners();
            }
        }

        @Override
        public void onDelete(SpheronLease lease, boolean finalStateUnknown) {
            notifyListeners();
        }

        private SpheronLeaseStatus.Phase phase(SpheronLease lease) {
            return lease.getStatus() == null ? null : lease.getStatus().getPhase();
        }

        private void notifyListeners() {
            phaseListeners.forEach(Runnable::run);
        }
    }
}
