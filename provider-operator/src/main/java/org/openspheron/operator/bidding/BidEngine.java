package org.openspheron.operator.bidding;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.jboss.logging.Logger;
import org.openspheron.chain.ChainException;
import org.openspheron.chain.ContractRevertException;
import org.openspheron.chain.Lease;
import org.openspheron.chain.Order;
import org.openspheron.chain.OrderFeatures;
import org.openspheron.chain.OrderSpec;
import org.openspheron.chain.OrderState;
import org.openspheron.chain.OrderStatus;
import org.openspheron.chain.ProtocolReader;
import org.openspheron.chain.ProviderClient;
import org.openspheron.chain.UnreadableOrderException;
import org.openspheron.chain.index.IndexView;
import org.openspheron.chain.index.IndexedOrder;
import org.openspheron.chain.index.ProtocolIndex;
import org.openspheron.operator.inventory.Claim;
import org.openspheron.operator.inventory.Demand;
import org.openspheron.operator.inventory.Inventory;
import org.openspheron.operator.inventory.Placement;

/**
 * Bids on the orders this cluster can serve, level-triggered: every pass takes the open orders and their bids from
 * the process's {@link ProtocolIndex} (which follows the chain's events and reads its whole state again now and then,
 * so a pass costs the same RPC calls whatever the market's size), reads the provider's active leases and the
 * cluster, and derives what to do from them, so a missed event or a restart costs nothing. Orders that are no longer
 * open are read from the chain only for what this provider holds: a reservation to settle, a lease to hold for.
 *
 * <p>Every bid reserves the node it was priced for until the order is matched (to us: the reservation becomes
 * the lease's hold until the lease's pods run; to another provider: released), cancelled, or left unmatched
 * past its match window. Reservations live in memory; after a restart the first pass rebuilds them from the
 * bids this account has on open orders. Before sending a bid the engine looks at the order's bids as indexed up
 * to the pass's head, so a bid whose receipt was lost is never sent twice; a {@code BidAlreadySubmitted} revert (a
 * bid mined after that head) counts as done.
 *
 * <p>Leased IP addresses ({@code spheron.operator.ip-pool}) are accounted alike, except that an active lease holds
 * its addresses until it ends, whether its pods run or not: an order gets a bid only while the pool has the addresses
 * it needs besides those of our active leases and open bids.
 *
 * <p>An order the reader cannot represent (past the protocol's limits, which only a contract deployed before them can
 * hold) is passed over on its own: one hostile order never stops the bids on the others.
 *
 * <p>Not thread-safe on purpose: one loop thread calls {@link #reconcile()}; the read accessors are
 * synchronized for metrics and tests.
 */
public final class BidEngine {
    private static final Logger LOG = Logger.getLogger(BidEngine.class);
    /** Whether the missing GPU RuntimeClass was reported: once per stretch of it missing, not once per order. */
    private volatile boolean gpuRuntimeMissingWarned;
    /** The decline reason of an order that cannot be read; such an order never changes, so it is not read again. */
    static final String UNREADABLE = "unreadable";

    private final ProtocolReader reader;
    private final ProtocolIndex index;
    private final ProviderClient provider;
    private final Supplier<Inventory> cluster;
    private final PricingPolicy pricing;
    private final ProviderProfile profile;
    private final ProviderCapabilities capabilities;
    private final long matchWindowBlocks;
    private final MeterRegistry meters;
    private final Counter submitted;

    private final Map<Long, Order> orders = new HashMap<>();
    private final Map<Long, Long> leaseOrders = new HashMap<>();
    private final Map<Long, Claim> reservations = new LinkedHashMap<>();
    private final Map<Long, Claim> holds = new LinkedHashMap<>();
    /** The leased IPs each active lease of ours holds, by lease id: the whole lease, not only until its pods run. */
    private final Map<Long, Integer> leaseIps = new HashMap<>();
    private final Map<Long, String> declined = new HashMap<>();
    private boolean derivedFromChain;
    private boolean notEligibleLogged;

    public BidEngine(ProtocolReader reader, ProtocolIndex index, ProviderClient provider, Supplier<Inventory> cluster,
                     PricingPolicy pricing, ProviderProfile profile, long matchWindowBlocks, MeterRegistry meters) {
        this(reader, index, provider, cluster, pricing, profile, ProviderCapabilities.DEFAULT_STORAGE,
                matchWindowBlocks, meters);
    }

    /** As above, bidding only on orders whose {@link org.openspheron.chain.OrderFeatures} {@code capabilities} serve. */
    public BidEngine(ProtocolReader reader, ProtocolIndex index, ProviderClient provider, Supplier<Inventory> cluster,
                     PricingPolicy pricing, ProviderProfile profile, ProviderCapabilities capabilities,
                     long matchWindowBlocks, MeterRegistry meters) {
        this.capabilities = capabilities;
        this.reader = reader;
        this.index = index;
        this.provider = provider;
        this.cluster = cluster;
        this.pricing = pricing;
        this.profile = profile;
        this.matchWindowBlocks = matchWindowBlocks;
        this.meters = meters;
        this.submitted = meters.counter("spheron.bids.submitted");
        meters.gauge("spheron.bids.reserved.gpus", this, e -> e.reservedGpus());
        meters.gauge("spheron.bids.reserved.ips", this, e -> e.committedIps());
    }

    /** One pass at the chain's head: brings the index up to it, then {@link #reconcile(IndexView)}. */
    public synchronized void reconcile() {
        reconcile(index.follow());
    }

    /** One pass over a view of the index: settle the reservations, hold the leases, rebuild after a restart, then bid. */
    public synchronized void reconcile(IndexView view) {
        long block = view.head();
        Inventory base = cluster.get();
        Set<Long> openSet = new HashSet<>(view.open().keySet());
        openSet.addAll(view.unreadable().keySet());
        view.open().forEach((id, indexed) -> orders.put(id, indexed.order()));
        view.unreadable().forEach(this::noteUnreadable);
        Map<Long, String> wonOn = settleReservations(block, openSet);
        holdActiveLeases(base, wonOn);
        if (!derivedFromChain) {
            rebuildReservations(base, view);
            derivedFromChain = true;
        }
        Inventory left = base.minus(claims());
        int freeIps = capabilities.leasedIps() - committedIps();
        for (IndexedOrder indexed : view.open().values()) {
            Order order = indexed.order();
            long orderId = order.id();
            if (reservations.containsKey(orderId)) {
                continue;
            }
            if (order.biddingClosedAt(block)) {
                declined.remove(orderId);
                continue;
            }
            Decision decision = decide(order, left, freeIps);
            if (decision instanceof Decision.Decline d) {
                noteDeclined(orderId, d);
            } else if (decision instanceof Decision.Bid bid) {
                if (!bidOn(indexed, bid)) {
                    return;
                }
                left = base.minus(claims());
                freeIps = capabilities.leasedIps() - committedIps();
            }
        }
        forgetSettled(openSet);
    }

    /** Resources this provider has promised and no pod holds yet: open bids' reservations and leases' holds. */
    public synchronized List<Claim> claims() {
        List<Claim> all = new ArrayList<>(holds.values());
        all.addAll(reservations.values());
        return all;
    }

    /** Orders with an open bid of ours, each with its reservation. */
    public synchronized Map<Long, Claim> reservations() {
        return new LinkedHashMap<>(reservations);
    }

    /** Leases won whose pods do not run yet, each with its hold. */
    public synchronized Map<Long, Claim> holds() {
        return new LinkedHashMap<>(holds);
    }

    synchronized int reservedGpus() {
        return claims().stream().mapToInt(c -> c.demand().gpus()).sum();
    }

    /**
     * Leased IP addresses promised: those of our active leases and of the orders our open bids are on. The pool's
     * size less these is what a new bid can promise.
     */
    public synchronized int committedIps() {
        int leased = leaseIps.values().stream().mapToInt(Integer::intValue).sum();
        return leased + reservations.keySet().stream().mapToInt(this::leasedIpsOf).sum();
    }

    /**
     * Whether {@code order} gets a bid from what is {@code left} and {@code freeIps} leased IPs, and at what price on
     * which node.
     */
    Decision decide(Order order, Inventory left, int freeIps) {
        var spec = order.spec();
        if (!profile.serves(spec)) {
            return new Decision.Decline("region", "requires region " + spec.region()
                    + (spec.zone().isBlank() ? "" : "/" + spec.zone()) + ", we are in " + profile.region());
        }
        var lacking = capabilities.lacking(spec);
        if (lacking.isPresent()) {
            return lacking.get();
        }
        int ips = OrderFeatures.leasedIps(spec.features());
        if (ips > freeIps) {
            return new Decision.Decline("leased-ips", "it needs " + OrderFeatures.leasedIpsText(ips) + "; "
                    + Math.max(freeIps, 0) + " of the pool's " + capabilities.leasedIps() + " are free");
        }
        var price = pricing.pricePerHour(spec);
        if (price.isEmpty()) {
            return new Decision.Decline("unpriced-model", "no spheron.pricing.gpu." + spec.gpuModel() + " is set");
        }
        if (price.get().compareTo(spec.maxPricePerHour()) > 0) {
            return new Decision.Decline("price", "our price " + price.get() + " is above its maximum "
                    + spec.maxPricePerHour());
        }
        Demand demand = Demand.of(spec);
        var teeSelector = capabilities.nodeSelector(spec);
        if (teeSelector.isEmpty()) {
            return new Decision.Decline("tee-runtime-class", "the RuntimeClass of its TEE type "
                    + String.join(", ", OrderFeatures.teeTypes(spec.features()))
                    + " is missing from the cluster");
        }
        var gpuRuntime = capabilities.gpuRuntimeSelector(spec);
        if (gpuRuntime.isEmpty()) {
            if (!gpuRuntimeMissingWarned) {
                gpuRuntimeMissingWarned = true;
                LOG.warnf("the RuntimeClass %s (spheron.operator.runtime-class) is missing from the cluster, or cannot be "
                        + "read: no GPU order is bid until it can", capabilities.gpuRuntimeClass().orElse("?"));
            }
            return new Decision.Decline("gpu-runtime-class", "the RuntimeClass "
                    + capabilities.gpuRuntimeClass().orElse("?") + " that spheron.operator.runtime-class gives GPU pods "
                    + "is missing from the cluster, so its pods could not be created");
        }
        if (spec.gpuCount() > 0 && capabilities.gpuRuntimeClass().isPresent()) {
            gpuRuntimeMissingWarned = false; // read, and there
        }
        // A TEE order's services run under their TEE type's RuntimeClass instead (WorkloadObjects), so its placement
        // follows that class's labels only; the GPU class's labels place the other GPU orders.
        boolean tee = !OrderFeatures.teeTypes(spec.features()).isEmpty();
        Map<String, String> selector = tee ? teeSelector.get() : gpuRuntime.get();
        Inventory where = left.onNodesLabelled(selector);
        if (where.hasNoNodes() && !selector.isEmpty()) {
            return tee
                    ? new Decision.Decline("tee-nodes", "no node has the labels " + selector + " that the RuntimeClass"
                            + " of its TEE type selects")
                    : new Decision.Decline("gpu-runtime-nodes", "no node has the labels " + selector
                            + " that the GPU RuntimeClass " + capabilities.gpuRuntimeClass().orElse("?") + " selects");
        }
        Placement placement = where.place(demand);
        if (placement instanceof Placement.Nowhere nowhere) {
            return new Decision.Decline(nowhere.shortfall().tag(), demand + " fits on no node");
        }
        return new Decision.Bid(price.get(), ((Placement.OnNode) placement).node());
    }

    /** Sends the bid (unless it is already on chain) and reserves; false when bidding must stop for this pass. */
    private boolean bidOn(IndexedOrder indexed, Decision.Bid bid) {
        Order order = indexed.order();
        long orderId = order.id();
        Claim claim = new Claim(Claim.forOrder(orderId), bid.node(), Demand.of(order.spec()));
        if (hasOurBid(indexed)) {
            LOG.infof("order %d already has our bid on chain; reserving %s on %s", orderId, claim.demand(), bid.node());
            reservations.put(orderId, claim);
            return true;
        }
        try {
            int index = provider.submitBid(orderId, bid.pricePerHour());
            submitted.increment();
            notEligibleLogged = false;
            LOG.infof("bid %s per hour on order %d (bid %d), reserving %s on %s", bid.pricePerHour(), orderId, index,
                    claim.demand(), bid.node());
            reservations.put(orderId, claim);
            declined.remove(orderId);
            return true;
        } catch (ContractRevertException e) {
            switch (e.errorName()) {
                case "BidAlreadySubmitted" -> {
                    LOG.infof("order %d: our bid was already on chain; reserving %s on %s", orderId, claim.demand(), bid.node());
                    reservations.put(orderId, claim);
                    return true;
                }
                case "ProviderNotEligible" -> {
                    if (!notEligibleLogged) {
                        LOG.warnf("cannot bid: %s is not an eligible provider (not registered, or stake below the "
                                + "minimum); bidding resumes once it is", profile.address());
                        notEligibleLogged = true;
                    }
                    return false;
                }
                default -> {
                    // The window closed or the order went away between our read and the transaction: nothing to do.
                    LOG.debugf("order %d: bid refused: %s", orderId, e.getMessage());
                    return true;
                }
            }
        }
    }

    /**
     * Drops reservations whose order was matched, cancelled, or left unmatched past its match window. Returns the
     * nodes of the ones we won, by lease id, so the lease's hold stays where the bid was priced.
     */
    private Map<Long, String> settleReservations(long block, Set<Long> open) {
        Map<Long, String> wonOn = new HashMap<>();
        for (var it = reservations.entrySet().iterator(); it.hasNext(); ) {
            var entry = it.next();
            long orderId = entry.getKey();
            Order known = order(orderId);
            if (open.contains(orderId)) {
                if (block > known.bidWindowEnd() + matchWindowBlocks) {
                    LOG.infof("order %d was not matched within its match window; releasing %s", orderId,
                            entry.getValue().demand());
                    it.remove();
                }
                continue;
            }
            // Its state and lease only (one call): the spec is the one already held, and never changes.
            OrderStatus now = reader.orderStatus(orderId)
                    .orElseThrow(() -> new ChainException("unknown order " + orderId));
            if (now.state() == OrderState.MATCHED) {
                Lease lease = reader.requireLease(now.leaseId());
                leaseOrders.put(lease.id(), orderId);
                if (profile.is(lease.provider())) {
                    LOG.infof("won order %d: lease %d holds %s on %s", orderId, lease.id(), entry.getValue().demand(),
                            entry.getValue().node());
                    wonOn.put(lease.id(), entry.getValue().node());
                } else {
                    LOG.infof("order %d went to %s; releasing %s", orderId, lease.provider(), entry.getValue().demand());
                }
            } else {
                LOG.infof("order %d is %s; releasing %s", orderId, now.state() == OrderState.OPEN
                        ? "past its match deadline unmatched" : now.state(), entry.getValue().demand());
            }
            it.remove();
        }
        return wonOn;
    }

    /**
     * Holds resources for every active lease whose pods are not running yet (running pods count themselves, wherever
     * the scheduler bound them). A hold stays on its node while what it holds still fits there, and moves to where
     * it fits when other pods took the room.
     */
    private void holdActiveLeases(Inventory base, Map<Long, String> wonOn) {
        Map<Long, Claim> next = new LinkedHashMap<>();
        List<Long> active = reader.activeLeasesOf(profile.address());
        leaseOrders.keySet().retainAll(active);
        leaseIps.clear();
        for (long leaseId : active) {
            long orderId = leaseOrders.computeIfAbsent(leaseId, id -> reader.requireLease(id).orderId());
            Demand demand;
            try {
                OrderSpec spec = order(orderId).spec();
                leaseIps.put(leaseId, OrderFeatures.leasedIps(spec.features()));
                demand = Demand.of(spec);
            } catch (UnreadableOrderException e) {
                // Only an engine from before the protocol's limits could have bid on it: there is nothing to hold by.
                LOG.warnf("lease %d holds nothing in the cluster: %s", leaseId, e.getMessage());
                continue;
            }
            String namespace = Claim.forLease(leaseId);
            if (base.hasPodsIn(namespace)) {
                // The running pods count themselves: hold only what is still to start. Once every GPU runs, what
                // the pods do not request (a tenant using less CPU than bought) is free again.
                demand = demand.less(base.usedIn(namespace));
                if (demand.gpus() == 0) {
                    continue;
                }
            }
            Claim previous = holds.get(leaseId);
            String node = previous != null ? previous.node() : wonOn.get(leaseId);
            Inventory left = base.minus(next.values());
            if (node == null) {
                node = placeOrNull(left, demand, "lease " + leaseId);
            } else if (!left.fitsOn(node, demand)) {
                // The scheduler does not know our holds: another lease's pods took this node's room. The hold
                // follows to where this lease's pods can still go, so that room is not bid away as well.
                String moved = placeOrNull(left, demand, "lease " + leaseId);
                if (moved != null) {
                    LOG.infof("lease %d: %s no longer has room for %s (other pods took it); holding it on %s",
                            leaseId, node, demand, moved);
                    node = moved;
                }
            }
            next.put(leaseId, new Claim(Claim.forLease(leaseId), node, demand));
        }
        holds.clear();
        holds.putAll(next);
    }

    /** After a restart: every open order that carries our bid gets its reservation back. */
    private void rebuildReservations(Inventory base, IndexView view) {
        for (IndexedOrder indexed : view.open().values()) {
            if (hasOurBid(indexed)) {
                long orderId = indexed.id();
                Demand demand = Demand.of(indexed.order().spec());
                String node = placeOrNull(base.minus(claims()), demand, "order " + orderId);
                reservations.put(orderId, new Claim(Claim.forOrder(orderId), node, demand));
                LOG.infof("restored the reservation of our bid on order %d: %s on %s", orderId, demand, node);
            }
        }
    }

    private boolean hasOurBid(IndexedOrder indexed) {
        return indexed.bids().stream().anyMatch(b -> profile.is(b.provider()));
    }

    /** Keeps the caches to what is still open, reserved or held, so they do not grow with the chain's history. */
    private void forgetSettled(Set<Long> open) {
        Set<Long> keep = new HashSet<>(open);
        keep.addAll(reservations.keySet());
        // Every active lease's order, held or not: a lease whose pods all run holds nothing, and its spec (which
        // never changes) was read again, two calls a lease a block, when only held leases' orders were kept.
        keep.addAll(leaseOrders.values());
        orders.keySet().retainAll(keep);
        declined.keySet().retainAll(open);
    }

    private String placeOrNull(Inventory inventory, Demand demand, String what) {
        Placement placement = inventory.place(demand);
        if (placement instanceof Placement.OnNode on) {
            return on.node();
        }
        LOG.warnf("%s needs %s but it no longer fits on any node (%s): the cluster is over-committed until it ends",
                what, demand, ((Placement.Nowhere) placement).shortfall().tag());
        return null;
    }

    private void noteDeclined(long orderId, Decision.Decline d) {
        if (!d.reason().equals(declined.put(orderId, d.reason()))) {
            meters.counter("spheron.bids.declined", "reason", d.reason()).increment();
            LOG.debugf("no bid on order %d: %s (%s)", orderId, d.reason(), d.detail());
        }
    }

    /** The leased IPs {@code orderId} needs, as last read (every reservation's order is kept read). */
    private int leasedIpsOf(long orderId) {
        Order known = orders.get(orderId);
        return known == null ? 0 : OrderFeatures.leasedIps(known.spec().features());
    }

    private Order order(long orderId) {
        return orders.computeIfAbsent(orderId, reader::requireOrder);
    }

    /** An open order the reader cannot represent: declined, and warned about once. */
    private void noteUnreadable(long orderId, String why) {
        if (!UNREADABLE.equals(declined.get(orderId))) {
            LOG.warnf("passing over order %d: %s", orderId, why);
        }
        noteDeclined(orderId, new Decision.Decline(UNREADABLE, why));
    }
}
