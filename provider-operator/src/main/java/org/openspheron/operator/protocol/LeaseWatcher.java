package org.openspheron.operator.protocol;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.jboss.logging.Logger;
import org.openspheron.chain.ChainException;
import org.openspheron.chain.ContractRevertException;
import org.openspheron.chain.DeclineReason;
import org.openspheron.chain.Lease;
import org.openspheron.chain.LeaseState;
import org.openspheron.chain.OrderSpec;
import org.openspheron.chain.ProtocolReader;
import org.openspheron.chain.ProviderClient;
import org.openspheron.chain.UnreadableOrderException;
import org.openspheron.chain.index.IndexView;
import org.openspheron.operator.crd.EventRecorder;
import org.openspheron.operator.lease.LeaseResources;
import org.openspheron.operator.lease.SpheronLease;
import org.openspheron.operator.lease.SpheronLeaseSpec;
import org.openspheron.operator.lease.SpheronLeaseSpec.ChainState;
import org.openspheron.operator.lease.SpheronLeaseStatus;

/**
 * Mirrors this provider's leases from the chain into {@code SpheronLease} objects and reports back what the
 * cluster achieved. Level-triggered: every pass compares {@code activeLeasesOf(provider)} with the objects, acting
 * only on what is {@code confirmations} blocks deep: a lease starts being served, and stops, once a reorg of fewer
 * blocks can no longer undo it.
 * <ul>
 *   <li>an active lease without an object gets one ({@code lease-<id>}, spec from the lease and its order);</li>
 *   <li>an object whose lease is no longer active gets {@code spec.chainState} Closed or Failed, which the
 *       lease reconciler turns into a teardown;</li>
 *   <li>a lease whose object reports phase Running is confirmed on chain once, and {@code status.confirmedOnChain}
 *       records it (a merge patch of that one field on the status subresource, so the reconciler's status
 *       stays its own);</li>
 *   <li>the manifest watchdog: a lease not Running when its confirm deadline is less than the decline margin away
 *       is declined on chain, ManifestNotReceived when no manifest came, DeploymentNotReady when the tenant's
 *       workload did not come up. The provider did its part, so it is not slashed; the tenant pays for the time the
 *       capacity was held. Only a provider that neither confirms nor declines in time misses the deployment.</li>
 * </ul>
 * <p>Each lease is handled on its own: a lease that fails (the chain or the API server refused one call) is logged once
 * per kind of failure and retried next pass, and one whose order cannot be read (past the protocol's limits, which
 * only a contract deployed before them can hold) is passed over for good; neither stops the others.
 */
public final class LeaseWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LeaseWatcher.class);

    private final ProtocolReader reader;
    private final ProviderClient provider;
    private final KubernetesClient client;
    private final MirroredLeases objects;
    private final String address;
    private final Map<Long, OrderSpec> specs = new HashMap<>();
    /**
     * Leases confirmed on chain, as last read: once its object records the confirmation, nothing a pass reads of an
     * active lease changes (its end shows as its absence from activeLeasesOf), so it is not read again each pass.
     */
    private final Map<Long, Lease> confirmedLeases = new HashMap<>();
    private final Duration declineMargin;
    private final int confirmations;
    private final Set<Long> confirmationsRefused = new HashSet<>();
    /** The chain's time as the next block will see it, read at most once a pass and only when a lease needs it. */
    private Long passTime;
    /**
     * The head block the process's index last followed (no RPC call), or -1 when unknown: the chain reads of a pass
     * (the active leases, the leases still in their confirm window, the latest block's time) are kept for the
     * passes that follow at the same head. A pass runs each poll, on each new head and on each phase change of a
     * SpheronLease, two or three a block, and each used to read them all again.
     */
    private final Supplier<IndexView> index;
    /** The head the kept reads are of; {@link Long#MIN_VALUE} when there are none. */
    private long readAt = Long.MIN_VALUE;
    /** The index's reorg count when they were read: a reorg to another block at the same height reads again. */
    private long readAtReorgs;
    /** When they were read: kept reads expire after {@link #READS_KEPT_FOR}, in case the index stopped following. */
    private long readAtNanos;
    private List<Long> activeRead;
    private List<Long> deepRead;
    private Long latestTimeRead;
    private final Map<Long, Lease> leasesRead = new HashMap<>();
    static final Duration READS_KEPT_FOR = Duration.ofSeconds(10);
    private final Set<Long> unreadable = new HashSet<>();
    /** The kind of the last failure of each lease that failed, so a failure repeating every pass is logged once. */
    private final Map<Long, String> failing = new HashMap<>();

    /** The margin an operator uses when nothing configures it: 2 minutes, or a quarter of a shorter window. */
    public static Duration defaultDeclineMargin(long confirmWindowSeconds) {
        return Duration.ofSeconds(Math.min(120, Math.max(1, confirmWindowSeconds / 4)));
    }

    /**
     * @param declineMargin how long before a lease's confirm deadline the watchdog declines it if it is not Running:
     *        long enough for the decline to be mined before the deadline, short enough to leave the tenant's
     *        workload the rest of the window to come up
     */
    public LeaseWatcher(ProtocolReader reader, ProviderClient provider, KubernetesClient client, Duration declineMargin) {
        this(reader, provider, client, declineMargin, 0);
    }

    /**
     * @param confirmations how deep below the chain's head a lease's start (and its end) must be before the watcher
     *        acts on it: a lease a reorg can still take back gets no namespace and takes no manifest, and a close a
     *        reorg can still undo removes no workload
     */
    public LeaseWatcher(ProtocolReader reader, ProviderClient provider, KubernetesClient client, Duration declineMargin,
            int confirmations) {
        this(reader, provider, client, declineMargin, confirmations, () -> null);
    }

    /**
     * @param index the view the process's index last published, read without an RPC call (null, or a head of -1,
     *        when there is none yet): passes at the same head share their chain reads
     */
    public LeaseWatcher(ProtocolReader reader, ProviderClient provider, KubernetesClient client, Duration declineMargin,
            int confirmations, Supplier<IndexView> index) {
        this.index = index;
        if (confirmations < 0) {
            throw new IllegalArgumentException("confirmations must be 0 or more, not " + confirmations);
        }
        this.confirmations = confirmations;
        this.declineMargin = declineMargin;
        this.reader = reader;
        this.provider = provider;
        this.client = client;
        this.objects = new MirroredLeases(client).start();
        this.address = provider.address();
    }

    /** Runs {@code listener} when a SpheronLease appears, goes or changes phase (see {@link MirroredLeases}). */
    public void onObjectChange(Runnable listener) {
        objects.onPhaseChange(listener);
    }

    /** The SpheronLeases as the next pass reads them; for tests that wait until the watch caught up with a change. */
    MirroredLeases objects() {
        return objects;
    }

    /** Stops watching SpheronLeases. */
    @Override
    public void close() {
        objects.close();
    }

    /**
     * Whether the chain holds {@code leaseId} as this provider's active lease: then a SpheronLease deleted without the
     * give-up mark keeps its workload, and the next pass mirrors the object back. A lease the chain does not know
     * counts as held: a misconfigured RPC URL or contract address looks exactly like it, and is no reason to remove a
     * tenant's workload.
     */
    public boolean activeOnChain(long leaseId) {
        Optional<Lease> lease = reader.lease(leaseId);
        return lease.isEmpty() || lease.get().isActive() && address.equalsIgnoreCase(lease.get().provider());
    }

    /**
     * The provider gave a lease up in the cluster (its SpheronLease, marked {@link SpheronLease#GIVE_UP}, was deleted
     * while the chain still had it active): close it on chain, so the tenant is refunded, the provider paid what
     * accrued, and the lease is not mirrored back. A lease still unconfirmed past its confirm deadline is a missed deployment however it ends: the
     * close fails it and slashes the provider's stake, exactly as the tenant's reportUndeployed would. It is closed
     * all the same (keeping it open only holds the tenant's escrow until they report it), and the log says which
     * of the two happened, as the chain recorded it. Idempotent: a lease that is no longer active, or not ours, is
     * left alone.
     *
     * @return whether a close was sent
     */
    public synchronized boolean giveUp(long leaseId) {
        Optional<Lease> lease = reader.lease(leaseId);
        if (lease.isEmpty() || !lease.get().isActive() || !address.equalsIgnoreCase(lease.get().provider())) {
            return false;
        }
        forgetReads();
        provider.closeLease(leaseId);
        if (reader.lease(leaseId).map(Lease::state).orElse(null) == LeaseState.FAILED) {
            LOG.warnf("lease %d was given up while active and never confirmed: closed past its confirm "
                    + "deadline, it failed on chain as a missed deployment; the tenant was refunded and the stake "
                    + "slashed", leaseId);
        } else {
            LOG.infof("lease %d was given up by the provider while active; closed it on chain", leaseId);
        }
        return true;
    }

    /** One pass over the chain's active leases and the cluster's SpheronLeases. */
    public synchronized void reconcile() {
        passTime = null;
        IndexView followed = index.get();
        long indexHead = followed == null ? -1 : followed.head();
        long indexReorgs = followed == null ? 0 : followed.reorgs();
        if (indexHead < 0 || indexHead != readAt || indexReorgs != readAtReorgs
                || System.nanoTime() - readAtNanos > READS_KEPT_FOR.toNanos()) {
            forgetReads();
            if (indexHead >= 0) {
                readAt = indexHead;
                readAtReorgs = indexReorgs;
                readAtNanos = System.nanoTime();
            }
        }
        if (activeRead == null) {
            activeRead = reader.activeLeasesOf(address);
        }
        List<Long> head = activeRead;
        // Acted on: active at the head and already some confirmations deep. A lease only at the head waits (a reorg
        // may still take it back, and its workload would run unpaid); a lease only deep was closed at the head, and
        // keeps its workload until the close is as deep.
        List<Long> deep = confirmations == 0 ? head : deepActiveLeases();
        List<Long> active = head.stream().filter(deep::contains).toList();
        Map<Long, SpheronLease> mirrored = new HashMap<>();
        for (SpheronLease object : objects.list()) {
            if (object.getSpec() != null && address.equalsIgnoreCase(object.getSpec().getProvider())) {
                mirrored.put(object.getSpec().getLeaseId(), object);
            }
        }
        for (long leaseId : active) {
            if (!unreadable.contains(leaseId) && !beingDeleted(mirrored.get(leaseId))) {
                onItsOwn(leaseId, () -> {
                    SpheronLease existing = mirrored.get(leaseId);
                    Lease lease = lease(leaseId, existing);
                    SpheronLease object = mirror(lease, existing);
                    // A new object has no status until the reconciler looks at it: the watchdog would read that as
                    // "no manifest" and decline a lease whose workload, kept through a delete, is running.
                    if (existing != null) {
                        confirmWhenRunning(lease, object);
                    }
                });
            }
        }
        for (var entry : mirrored.entrySet()) {
            if (!head.contains(entry.getKey()) && !deep.contains(entry.getKey())
                    && entry.getValue().getSpec().getChainState() == ChainState.Active && !beingDeleted(entry.getValue())) {
                onItsOwn(entry.getKey(), () -> markEnded(entry.getKey(), entry.getValue()));
            }
        }
        Set<Long> kept = new HashSet<>(head);
        kept.addAll(deep);
        specs.keySet().retainAll(kept);
        confirmedLeases.keySet().retainAll(kept);
        confirmationsRefused.retainAll(kept);
        unreadable.retainAll(kept);
        Set<Long> known = new HashSet<>(kept);
        known.addAll(mirrored.keySet());
        failing.keySet().retainAll(known);
    }

    /**
     * The lease for this pass: read from the chain while it may still change in a way the pass acts on (until it is
     * confirmed and its object says so), then kept. The RPC cost of a pass is then a constant plus one call per lease
     * still in its confirm window, not one per active lease.
     */
    private Lease lease(long leaseId, SpheronLease object) {
        Lease known = confirmedLeases.get(leaseId);
        if (known != null && object != null && object.getStatus() != null
                && Boolean.TRUE.equals(object.getStatus().getConfirmedOnChain())) {
            return known;
        }
        Lease lease = leasesRead.get(leaseId);
        if (lease == null) {
            lease = reader.requireLease(leaseId);
            leasesRead.put(leaseId, lease);
        }
        if (lease.isActive() && lease.isConfirmed()) {
            confirmedLeases.put(leaseId, lease);
        } else {
            confirmedLeases.remove(leaseId);
        }
        return lease;
    }

    /** This provider's active leases {@code confirmations} blocks below the head (none below the genesis block). */
    private List<Long> deepActiveLeases() {
        if (deepRead == null) {
            long block = reader.blockNumber() - confirmations;
            deepRead = block < 0 ? List.of() : reader.activeLeasesOfAt(address, block);
        }
        return deepRead;
    }

    /**
     * An object on its way out is left to its finalizer, which decides what becomes of the lease: writing to it would
     * race its removal, and an active lease's object is mirrored back on the first pass after it is gone.
     */
    private static boolean beingDeleted(SpheronLease object) {
        return object != null && object.getMetadata().getDeletionTimestamp() != null;
    }

    /** Runs one lease's part of a pass; whatever that lease's failure, the pass goes on to the next lease. */
    private void onItsOwn(long leaseId, Runnable step) {
        try {
            step.run();
            if (failing.remove(leaseId) != null) {
                LOG.infof("lease %d is handled again", leaseId);
            }
        } catch (UnreadableOrderException e) {
            // Its order never changes, so neither will this: the lease is not looked at again.
            unreadable.add(leaseId);
            LOG.warnf("passing over lease %d: %s. It cannot be deployed here, so it will not be confirmed and the "
                    + "tenant may report it once its confirm deadline passes", leaseId, e.getMessage());
        } catch (ContractRevertException e) {
            failed(leaseId, e.errorName(), e);
        } catch (ChainException e) {
            failed(leaseId, "chain", e);
        } catch (KubernetesClientException e) {
            failed(leaseId, "kubernetes " + e.getCode(), e);
        }
    }

    private void failed(long leaseId, String kind, RuntimeException e) {
        if (!kind.equals(failing.put(leaseId, kind))) {
            LOG.warnf("lease %d: %s; the other leases go on, this one is retried every pass", leaseId, e.getMessage());
            LOG.debug("lease " + leaseId + " failure", e);
        } else {
            LOG.debugf("lease %d failed again: %s", leaseId, e.getMessage());
        }
    }

    /** Creates or corrects the object for an active lease; returns what the cluster now holds. */
    private SpheronLease mirror(Lease lease, SpheronLease existing) {
        boolean mirroredBefore = specs.containsKey(lease.id());
        SpheronLeaseSpec desired = specOf(lease);
        String name = SpheronLease.nameFor(lease.id());
        if (existing == null) {
            SpheronLease created = null;
            try {
                created = client.resource(newObject(lease, name, desired)).create();
            } catch (KubernetesClientException e) {
                // Not gone: the watch has not shown yet the object a pass just before this one created. Read it.
                existing = e.getCode() == 409 ? client.resources(SpheronLease.class).withName(name).get() : null;
                if (existing == null) {
                    throw e;
                }
            }
            if (created != null) {
                if (mirroredBefore) {
                    LOG.infof("SpheronLease %s was gone while lease %d stays active on chain (deleted without %s=true): "
                            + "recreated it; its namespace and workload were left running", name, lease.id(), SpheronLease.GIVE_UP);
                } else {
                    LOG.infof("lease %d (order %d, tenant %s) is ours: created SpheronLease %s", lease.id(), lease.orderId(),
                            lease.tenant(), name);
                }
                return created;
            }
        }
        if (!sameSpec(existing.getSpec(), desired)) {
            LOG.infof("SpheronLease %s differs from the chain; correcting its spec", name);
            return client.resources(SpheronLease.class).withName(name).edit(o -> {
                o.setSpec(desired);
                return o;
            });
        }
        return existing;
    }

    private static SpheronLease newObject(Lease lease, String name, SpheronLeaseSpec spec) {
        SpheronLease object = new SpheronLease();
        object.getMetadata().setName(name);
        object.getMetadata().setLabels(Map.of("openspheron.org/lease-id", Long.toString(lease.id()),
                "openspheron.org/order-id", Long.toString(lease.orderId())));
        object.setSpec(spec);
        return object;
    }

    private void confirmWhenRunning(Lease lease, SpheronLease object) {
        SpheronLeaseStatus status = object.getStatus();
        boolean recorded = status != null && Boolean.TRUE.equals(status.getConfirmedOnChain());
        if (recorded) {
            return;
        }
        if (lease.isConfirmed()) {
            recordConfirmed(lease.id());
            return;
        }
        if (confirmationsRefused.contains(lease.id())) {
            return;
        }
        if (status == null || status.getPhase() != SpheronLeaseStatus.Phase.Running) {
            declineWhenDue(lease, status);
            return;
        }
        forgetReads();
        try {
            provider.confirmDeployment(lease.id());
            LOG.infof("lease %d runs: deployment confirmed on chain, payment accrues from now", lease.id());
            recordConfirmed(lease.id());
        } catch (ContractRevertException e) {
            switch (e.errorName()) {
                case "AlreadyConfirmed" -> recordConfirmed(lease.id());
                case "ConfirmDeadlinePassed" -> {
                    confirmationsRefused.add(lease.id());
                    String why = String.format("lease %d came up after its confirmation deadline (%s): the chain no "
                            + "longer accepts the confirmation, so it earns nothing. It is a missed deployment however "
                            + "it ends: the tenant's reportUndeployed and our closeLease alike fail it, refund the tenant "
                            + "and slash the stake. Giving it up (kubectl annotate spheronlease %s %s=true, then delete "
                            + "it) closes it that way and frees the GPUs now",
                            lease.id(), e.arguments(), SpheronLease.nameFor(lease.id()), SpheronLease.GIVE_UP);
                    LOG.error(why);
                    tell(lease.id(), EventRecorder.Note.warning("ConfirmRefused", why));
                }
                default -> {
                    confirmationsRefused.add(lease.id());
                    LOG.errorf("cannot confirm lease %d: %s", lease.id(), e.getMessage());
                    tell(lease.id(), EventRecorder.Note.warning("ConfirmRefused",
                            "the chain refused the confirmation of lease " + lease.id() + ": " + e.getMessage()));
                }
            }
        }
    }

    /**
     * The manifest watchdog: a lease not Running when its confirm deadline is less than the margin away is declined,
     * so the tenant's failure to send a manifest, or to send one that runs, never costs the provider its stake.
     */
    private void declineWhenDue(Lease lease, SpheronLeaseStatus cached) {
        if (chainTime() < lease.confirmDeadline() - declineMargin.toSeconds()) {
            return;
        }
        // A decline cannot be taken back: decide on the object as it is now, not as the watch last showed it.
        SpheronLease fresh = client.resources(SpheronLease.class).withName(SpheronLease.nameFor(lease.id())).get();
        SpheronLeaseStatus status = fresh == null ? cached : fresh.getStatus();
        if (status != null && status.getPhase() == SpheronLeaseStatus.Phase.Running) {
            return; // came up a moment ago: the phase change wakes the next pass, which confirms it
        }
        boolean manifestCame = status != null && status.getPhase() != null
                && status.getPhase() != SpheronLeaseStatus.Phase.PendingManifest;
        DeclineReason reason = manifestCame ? DeclineReason.DEPLOYMENT_NOT_READY : DeclineReason.MANIFEST_NOT_RECEIVED;
        forgetReads();
        try {
            provider.declineLease(lease.id(), reason);
        } catch (ContractRevertException e) {
            if (!"ConfirmDeadlinePassed".equals(e.errorName())) {
                throw e;
            }
            confirmationsRefused.add(lease.id());
            String why = String.format("lease %d: its confirm deadline passed before it could be declined (%s); it is a "
                    + "missed deployment now", lease.id(), e.getMessage());
            LOG.error(why);
            tell(lease.id(), EventRecorder.Note.warning("DeclineTooLate", why));
            return;
        }
        String why = String.format("lease %d declined on chain, %s seconds before its confirm deadline: %s. No slash; "
                + "the tenant paid for the time the capacity was held and got the rest of the escrow back", lease.id(),
                lease.confirmDeadline() - chainTime(), manifestCame
                        ? "the tenant's workload did not become ready (" + (status.getMessage() == null ? "no reason given"
                                : status.getMessage()) + ")"
                        : "no manifest matching the order arrived");
        LOG.warn(why);
        tell(lease.id(), EventRecorder.Note.normal(manifestCame ? "DeclinedNotReady" : "DeclinedNoManifest", why));
    }

    /**
     * Tells the provider on the lease's object what the chain side did or could not do, for {@code kubectl get -o
     * yaml} ({@code status.chainMessage}) and {@code kubectl describe} (an Event). Best effort: the chain action
     * stands whether or not the API server takes the note.
     */
    private void tell(long leaseId, EventRecorder.Note note) {
        String name = SpheronLease.nameFor(leaseId);
        try {
            SpheronLease patched = client.resources(SpheronLease.class).withName(name).subresource("status")
                    .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(
                            Map.of("status", Map.of("chainMessage", note.reason() + ": " + note.message()))));
            EventRecorder.record(client, patched, note);
        } catch (KubernetesClientException e) {
            LOG.warnf("could not note %s on SpheronLease %s: %s", note.reason(), name, e.getMessage());
        }
    }

    /** {@link org.openspheron.chain.ChainConnection#nextBlockTimeAtLeast()}, read once per pass. */
    private long chainTime() {
        if (passTime == null) {
            if (latestTimeRead == null) {
                latestTimeRead = reader.connection().latestTimestamp();
            }
            // As ChainConnection.nextBlockTimeAtLeast: the latest block's time, or the wall clock's if later.
            passTime = Math.max(latestTimeRead, System.currentTimeMillis() / 1000);
        }
        return passTime;
    }

    /** Our own transaction changed the chain: the next pass reads it again, whatever head the index is at. */
    private void forgetReads() {
        readAt = Long.MIN_VALUE;
        activeRead = null;
        deepRead = null;
        latestTimeRead = null;
        leasesRead.clear();
    }

    private void recordConfirmed(long leaseId) {
        client.resources(SpheronLease.class).withName(SpheronLease.nameFor(leaseId)).subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"confirmedOnChain\":true}}");
    }

    private void markEnded(long leaseId, SpheronLease object) {
        Optional<Lease> lease = reader.lease(leaseId);
        if (lease.isEmpty()) {
            // Never tear down on this alone: a misconfigured RPC URL or contract address looks exactly like it.
            LOG.warnf("SpheronLease %s names lease %d, which the chain at %s does not know; leaving it alone",
                    object.getMetadata().getName(), leaseId, reader.connection().addresses().orders());
            return;
        }
        ChainState state = switch (lease.get().state()) {
            case CLOSED -> ChainState.Closed;
            case FAILED -> ChainState.Failed;
            default -> null;
        };
        if (state == null) {
            return;
        }
        LOG.infof("lease %d is %s on chain: marking SpheronLease %s %s", leaseId, lease.get().state(),
                object.getMetadata().getName(), state);
        SpheronLease.markChainState(client, object.getMetadata().getName(), state);
    }

    private SpheronLeaseSpec specOf(Lease lease) {
        OrderSpec order = specs.computeIfAbsent(lease.id(), id -> reader.requireOrder(lease.orderId()).spec());
        SpheronLeaseSpec spec = new SpheronLeaseSpec();
        spec.setLeaseId(lease.id());
        spec.setOrderId(lease.orderId());
        spec.setTenant(lease.tenant());
        spec.setProvider(lease.provider());
        spec.setPricePerHour(lease.pricePerHour().toString());
        spec.setManifestHash(order.manifestHash());
        spec.setResources(new LeaseResources(order.cpuMilli(), order.memoryMb(), order.storageMb(), order.gpuCount(),
                order.gpuModel().isEmpty() ? null : order.gpuModel()));
        spec.setChainState(lease.state() == LeaseState.ACTIVE ? ChainState.Active : ChainState.Closed);
        return spec;
    }

    private static boolean sameSpec(SpheronLeaseSpec a, SpheronLeaseSpec b) {
        if (a == null) {
            return false;
        }
        LeaseResources r = a.getResources();
        LeaseResources s = b.getResources();
        boolean sameResources = r != null && r.getCpuMilli() == s.getCpuMilli() && r.getMemoryMb() == s.getMemoryMb()
                && r.getStorageMb() == s.getStorageMb() && r.getGpuCount() == s.getGpuCount()
                && Objects.equals(r.getGpuModel(), s.getGpuModel());
        return sameResources && a.getLeaseId() == b.getLeaseId() && a.getOrderId() == b.getOrderId()
                && b.getTenant().equalsIgnoreCase(String.valueOf(a.getTenant()))
                && b.getProvider().equalsIgnoreCase(String.valueOf(a.getProvider()))
                && Objects.equals(a.getPricePerHour(), b.getPricePerHour())
                && b.getManifestHash().equalsIgnoreCase(String.valueOf(a.getManifestHash()))
                && a.getChainState() == b.getChainState();
    }
}
