package org.openspheron.chain.index;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.openspheron.chain.Bid;
import org.openspheron.chain.ChainException;
import org.openspheron.chain.Order;
import org.openspheron.chain.OrderBatchReader;
import org.openspheron.chain.ProtocolEvent;
import org.openspheron.chain.ProtocolReader;
import org.openspheron.chain.UnreadableOrderException;
import org.openspheron.chain.rpc.HeadSubscription;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.response.EthBlock;

/**
 * The protocol's open orders and their bids, kept in memory by following the order contract's events, so that a
 * process reads a constant number of RPC calls per block (the head, one or two block headers, one {@code eth_getLogs}
 * per range) plus what new events require (an order's spec when it is created), never a call per open order.
 *
 * <p>Events are a wake-up, the chain's state is the truth: the index reads the whole state (each order of the live
 * range and its bids, in batches of {@link IndexOptions#resyncBatchSize} calls) at its first pass, every
 * {@link IndexOptions#resyncEveryBlocks}, when an event shows an
 * earlier one was missed (a gap), and after a reorg, which it detects when the block after the one it holds does
 * not name it as parent. Applying an event twice changes nothing, so a pass that fails half-way (an RPC error) is
 * simply repeated from the last block it completed.
 *
 * <p>One per process, shared: {@link #follow()} is serialised; the {@link IndexView}s it returns are immutable.
 */
public final class ProtocolIndex {
    private static final System.Logger LOG = System.getLogger(ProtocolIndex.class.getName());

    /** Where events come from: the order contract's logs in [from, to]; a seam for tests that lose some. */
    interface LogSource {
        List<ProtocolEvent> events(long fromBlock, long toBlock);
    }

    record BlockHeader(long number, String hash, String parentHash) {
    }

    private final ProtocolReader reader;
    private final IndexOptions options;
    private final LogSource logs;
    private final OrderBatchReader batches;
    /** Where the head comes from when a WebSocket URL is configured; null: {@code eth_blockNumber} each pass. */
    private volatile HeadSubscription heads;

    private final Map<Long, Order> orders = new HashMap<>();
    private final Map<Long, List<Bid>> bids = new HashMap<>();
    /** Orders past the protocol's limits, with why: warned about once, never offered to readers as orders. */
    private final Map<Long, String> unreadable = new HashMap<>();
    private final NavigableMap<Long, String> hashes = new TreeMap<>();
    /**
     * What each kept block's events (and the expiries at that head) changed, as actions that take it back, in the
     * order they were done: a reorg within the kept blocks is rolled back with them and replayed from its common
     * ancestor, with no full read.
     */
    private final NavigableMap<Long, List<Runnable>> undo = new TreeMap<>();
    private long nextOrderId;
    private volatile long indexedBlock = -1;
    private long lastResync = -1;
    /** The chain's head once the last full read was done: that read may hold blocks past the head it was for. */
    private long resyncReadThrough = -1;
    private long matchWindowBlocks = -1;
    private int range;
    private boolean refusedThisPass;
    /** Rollbacks in this pass: nodes that keep disagreeing on a fork end in a full read, not an endless replay. */
    private int rollbacksThisPass;

    private volatile IndexView view = new IndexView(-1, Map.of(), 0, Map.of());
    /**
     * The open orders as last published, kept so that a pass rebuilds only the orders that changed: copying every
     * order's bids into a fresh view each block cost time in proportion to the market.
     */
    private final TreeMap<Long, IndexedOrder> published = new TreeMap<>();
    /** The orders the range of logs being applied created, read together (see readCreatedOrders). */
    private final Map<Long, Optional<Order>> createdOrders = new HashMap<>();
    private volatile long lastHead = -1;
    private volatile long reorgs;
    private volatile long resyncs;
    private volatile long gaps;
    private volatile long logRanges;
    private volatile long refusedRanges;

    public ProtocolIndex(ProtocolReader reader, IndexOptions options) {
        this(reader, options, reader::events);
    }

    ProtocolIndex(ProtocolReader reader, IndexOptions options, LogSource logs) {
        this.reader = reader;
        this.options = options;
        this.logs = logs;
        this.batches = new OrderBatchReader(reader, options.resyncBatchSize());
        this.range = options.maxLogRange();
    }

    /**
     * Brings the index to the chain's head and returns it as of that head.
     *
     * @throws ChainException when the chain cannot be read; nothing is lost, the next call resumes
     */
    public synchronized IndexView follow() {
        rollbacksThisPass = 0;
        HeadSubscription subscription = heads;
        OptionalLong announced = subscription == null ? OptionalLong.empty() : subscription.head();
        // Below what is indexed: a reorg to a shorter chain, or a WebSocket node behind the HTTP one; the HTTP
        // node's own head decides.
        if (announced.isPresent() && announced.getAsLong() >= indexedBlock) {
            try {
                return followTo(announced.getAsLong());
            } catch (MissingBlock e) {
                // The WebSocket URL reached a node a block ahead of the HTTP one: this pass goes to the HTTP head.
            }
        }
        return followTo(reader.blockNumber());
    }

    private IndexView followTo(long head) {
        lastHead = head;
        if (indexedBlock < 0 || head - lastResync >= options.resyncEveryBlocks()) {
            return resync(head, indexedBlock < 0 ? "start" : "periodic");
        }
        if (head == indexedBlock) {
            // Nothing new: the view published at this head stands (processes poll several times a block).
            return view.head() == head ? view : publish(head);
        }
        if (head < indexedBlock) {
            return reorg(head, head, "the head went back from block " + indexedBlock + " to " + head);
        }
        BlockHeader next = header(indexedBlock + 1);
        if (!next.parentHash().equalsIgnoreCase(hashes.get(indexedBlock))) {
            return reorg(head, indexedBlock, "block " + next.number() + " does not follow block " + indexedBlock
                    + " as indexed");
        }
        BlockHeader tip = head == next.number() ? next : header(head);
        try {
            readLogs(indexedBlock + 1, head);
        } catch (GapDetected gap) {
            gaps++;
            LOG.log(System.Logger.Level.WARNING, "protocol index: {0}; reading the chain's state again", gap.getMessage());
            return resync(head, "gap");
        }
        remember(tip);
        indexedBlock = head;
        return publish(head);
    }

    /**
     * Takes the head from {@code subscription} while it is live, instead of an {@code eth_blockNumber} call per pass;
     * the index polls again whenever it is down or stale.
     */
    public void useHeads(HeadSubscription subscription) {
        heads = subscription;
    }

    /** The view of the last pass (empty before the first). */
    public IndexView view() {
        return view;
    }

    public IndexStats stats() {
        long indexed = indexedBlock;
        return new IndexStats(indexed, indexed < 0 ? 0 : Math.max(0, lastHead - indexed), reorgs, resyncs, gaps,
                logRanges, refusedRanges, view.open().size());
    }

    /** The protocol's match window (immutable on chain), read once. */
    public synchronized long matchWindowBlocks() {
        if (matchWindowBlocks < 0) {
            matchWindowBlocks = reader.matchWindowBlocks();
        }
        return matchWindowBlocks;
    }

    /** Makes the next {@link #follow()} read the whole state again, e.g. when a reader found the index incomplete. */
    public synchronized void requestResync() {
        lastResync = Long.MIN_VALUE / 2;
    }

    private IndexView resync(long head, String why) {
        BlockHeader tip = header(head);
        long window = matchWindowBlocks();
        // Read at the latest block, which may be past head: the events of those blocks are applied again on the next
        // pass, and applying an event the state already holds changes nothing.
        long count = reader.orderCount();
        Map<Long, Order> freshOrders = new HashMap<>();
        Map<Long, List<Bid>> freshBids = new HashMap<>();
        // The live range, not openOrderIds(): that view loops over every live order in one eth_call, which a node's
        // gas cap for calls stops at some tens of thousands; the batches below are bounded whatever the market.
        List<Long> liveIds = LongStream.rangeClosed(reader.firstLiveOrderId(), count).boxed().toList();
        for (OrderBatchReader.OrderWithBids read : batches.openOrders(liveIds, this::passOver)) {
            freshOrders.put(read.order().id(), read.order());
            freshBids.put(read.order().id(), new ArrayList<>(read.bids()));
        }
        // What was read may come from blocks past head: a reorg of those cannot be rolled back, only read again.
        resyncReadThrough = Math.max(head, reader.blockNumber());
        orders.clear();
        orders.putAll(freshOrders);
        bids.clear();
        bids.putAll(freshBids);
        unreadable.keySet().retainAll(Set.copyOf(liveIds));
        nextOrderId = count + 1;
        hashes.clear();
        undo.clear();
        remember(tip);
        indexedBlock = head;
        lastResync = head;
        resyncs++;
        LOG.log(System.Logger.Level.DEBUG, "protocol index: resync ({0}) at block {1}: {2} open orders, window {3}",
                why, head, orders.size(), window);
        return publish(head);
    }

    private void readLogs(long from, long to) {
        refusedThisPass = false;
        long start = from;
        while (start <= to) {
            long end = Math.min(to, start + range - 1);
            List<ProtocolEvent> events;
            try {
                events = logs.events(start, end);
            } catch (ChainException e) {
                if (end > start && ProtocolReader.refusedAsTooLarge(e)) {
                    refusedRanges++;
                    refusedThisPass = true;
                    range = (int) Math.max(1, (end - start + 1) / 2);
                    continue;
                }
                throw e;
            }
            logRanges++;
            readCreatedOrders(events);
            for (ProtocolEvent event : events) {
                apply(event);
            }
            start = end + 1;
        }
        if (!refusedThisPass && range < options.maxLogRange()) {
            range = Math.min(options.maxLogRange(), range * 2);
        }
    }

    /** Each case is idempotent: an event the state already reflects changes nothing. */
    private void apply(ProtocolEvent event) {
        if (event instanceof ProtocolEvent.OrderCreated e) {
            orderCreated(e.orderId(), e.blockNumber());
        } else if (event instanceof ProtocolEvent.BidSubmitted e) {
            bidSubmitted(e);
        } else if (event instanceof ProtocolEvent.LeaseCreated e) {
            forget(e.orderId(), e.blockNumber());
        } else if (event instanceof ProtocolEvent.OrderCancelled e) {
            forget(e.orderId(), e.blockNumber());
        }
        // LEASE_CLOSED: leases are not the index's concern (yet), the provider operator reads them itself.
    }

    private void orderCreated(long orderId, long block) {
        if (orderId < nextOrderId) {
            return;
        }
        if (orderId > nextOrderId) {
            throw new GapDetected("order " + orderId + " was created, but order " + nextOrderId + " never was");
        }
        // Read before moving on: a failed read leaves the event to the next pass.
        Optional<Order> order = readOrder(orderId);
        nextOrderId = orderId + 1;
        order.filter(Order::isOpen).ifPresent(o -> {
            orders.put(o.id(), o);
            bids.put(o.id(), new ArrayList<>());
        });
        onUndo(block, () -> {
            nextOrderId = orderId;
            orders.remove(orderId);
            bids.remove(orderId);
            unreadable.remove(orderId);
        });
    }

    private void bidSubmitted(ProtocolEvent.BidSubmitted e) {
        List<Bid> known = bids.get(e.orderId());
        if (known == null || e.bidIndex() < known.size()) {
            return;
        }
        if (e.bidIndex() > known.size()) {
            throw new GapDetected("bid " + e.bidIndex() + " on order " + e.orderId() + " came with only "
                    + known.size() + " bids before it");
        }
        known.add(new Bid(e.orderId(), e.bidIndex(), e.provider(), e.pricePerHour(), e.blockNumber()));
        onUndo(e.blockNumber(), () -> {
            List<Bid> now = bids.get(e.orderId());
            if (now != null && now.size() == e.bidIndex() + 1) {
                now.remove(e.bidIndex());
            }
        });
    }

    private void forget(long orderId, long block) {
        Order order = orders.remove(orderId);
        List<Bid> known = bids.remove(orderId);
        String why = unreadable.remove(orderId);
        if (order != null || why != null) {
            onUndo(block, () -> restore(orderId, order, known, why));
        }
    }

    private void restore(long orderId, Order order, List<Bid> known, String why) {
        if (order != null) {
            orders.put(orderId, order);
            bids.put(orderId, known == null ? new ArrayList<>() : known);
        }
        if (why != null) {
            unreadable.put(orderId, why);
        }
    }

    /** Keeps how to take back a change made at {@code block}, while that block is among the kept ones. */
    private void onUndo(long block, Runnable action) {
        undo.computeIfAbsent(block, b -> new ArrayList<>()).add(action);
    }

    /**
     * A reorg: rolls back to the newest kept block the chain still holds and replays from there; a full read only
     * when the fork is deeper than the kept blocks, or a kept block's changes were not all recorded.
     */
    private IndexView reorg(long head, long from, String what) {
        reorgs++;
        long ancestor = commonAncestor(Math.min(from, indexedBlock));
        if (ancestor < 0 || ancestor < resyncReadThrough || ++rollbacksThisPass > 2) {
            LOG.log(System.Logger.Level.WARNING, "protocol index: reorg, {0}; {1}; reading the chain''s state again",
                    what, ancestor < 0 ? "deeper than the " + hashes.size() + " blocks kept"
                            : ancestor < resyncReadThrough
                                    ? "back into blocks the last full read (through block " + resyncReadThrough + ") holds"
                                    : "the third in one pass (the nodes disagree on the chain)");
            return resync(head, "reorg");
        }
        LOG.log(System.Logger.Level.WARNING, "protocol index: reorg, {0}; common ancestor block {1}, {2} blocks"
                + " rolled back and replayed", what, ancestor, indexedBlock - ancestor);
        for (List<Runnable> actions : undo.tailMap(ancestor, false).descendingMap().values()) {
            for (int i = actions.size() - 1; i >= 0; i--) {
                actions.get(i).run();
            }
        }
        undo.tailMap(ancestor, false).clear();
        hashes.tailMap(ancestor, false).clear();
        indexedBlock = ancestor;
        return followTo(head);
    }

    /**
     * The orders a range of logs created, read together before its events are applied (one {@link OrderBatchReader}
     * call for all of them), where each used to cost two.
     */
    private void readCreatedOrders(List<ProtocolEvent> events) {
        createdOrders.clear();
        List<Long> ids = new ArrayList<>();
        for (ProtocolEvent event : events) {
            if (event instanceof ProtocolEvent.OrderCreated e && e.orderId() >= nextOrderId) {
                ids.add(e.orderId());
            }
        }
        if (!ids.isEmpty()) {
            // The full read's batches: an order no longer open (or unreadable) is absent, which orderCreated treats
            // as it treats such an order read alone.
            ids.forEach(id -> createdOrders.put(id, Optional.empty()));
            batches.openOrders(ids, this::passOver).forEach(read -> createdOrders.put(read.order().id(),
                    Optional.of(read.order())));
        }
    }

    private Optional<Order> readOrder(long id) {
        Optional<Order> read = createdOrders.remove(id);
        if (read != null) {
            return read;
        }
        try {
            return reader.order(id);
        } catch (UnreadableOrderException e) {
            passOver(e);
            return Optional.empty();
        }
    }

    private void passOver(UnreadableOrderException e) {
        if (unreadable.put(e.orderId(), e.getMessage()) == null) {
            LOG.log(System.Logger.Level.WARNING, "protocol index: passing over order {0}: {1}", e.orderId(),
                    e.getMessage());
        }
    }

    private IndexView publish(long head) {
        long window = matchWindowBlocks();
        for (var it = orders.entrySet().iterator(); it.hasNext(); ) {
            var entry = it.next();
            if (entry.getValue().bidWindowEnd() + window < head) {
                it.remove();
                Order order = entry.getValue();
                List<Bid> known = bids.remove(order.id());
                // A reorg back below this head makes the order matchable again.
                onUndo(head, () -> restore(order.id(), order, known, null));
            }
        }
        bids.keySet().retainAll(orders.keySet());
        published.keySet().retainAll(orders.keySet());
        orders.forEach((id, o) -> {
            List<Bid> known = bids.get(id);
            IndexedOrder before = published.get(id);
            // Bids only grow at the end and are taken back from the end (a reorg's undo), so an order whose list
            // has the same size and the same last bid object as published is unchanged: most orders, most passes.
            if (before == null || before.order() != o || before.bids().size() != known.size()
                    || !known.isEmpty() && before.bids().get(known.size() - 1) != known.get(known.size() - 1)) {
                published.put(id, new IndexedOrder(o, known));
            }
        });
        view = new IndexView(head, published, reorgs, unreadable);
        return view;
    }

    /** The newest kept block the chain still holds; -1 when none is. A handful of calls, only after a reorg. */
    private long commonAncestor(long from) {
        for (var kept : hashes.headMap(from, true).descendingMap().entrySet()) {
            if (header(kept.getKey()).hash().equalsIgnoreCase(kept.getValue())) {
                return kept.getKey();
            }
        }
        return -1;
    }

    private void remember(BlockHeader block) {
        hashes.put(block.number(), block.hash());
        while (hashes.size() > options.reorgDepth()) {
            hashes.pollFirstEntry();
        }
        // A change at a block no longer kept can never be rolled back (a deeper reorg reads everything again).
        undo.headMap(hashes.firstKey(), true).clear();
    }

    private BlockHeader header(long number) {
        EthBlock response;
        try {
            response = reader.connection().web3j()
                    .ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(number)), false).send();
        } catch (java.io.IOException e) {
            throw new ChainException("cannot read block " + number + ": " + e.getMessage(), e);
        }
        if (response.hasError()) {
            throw new ChainException("cannot read block " + number + ": " + response.getError().getMessage());
        }
        if (response.getBlock() == null) {
            throw new MissingBlock("cannot read block " + number + ": the node does not have it");
        }
        EthBlock.Block block = response.getBlock();
        return new BlockHeader(number, block.getHash(), block.getParentHash());
    }

    /** A block the HTTP node does not have (yet). */
    private static final class MissingBlock extends ChainException {
        MissingBlock(String message) {
            super(message);
        }
    }

    /** An event that shows an earlier one never reached the index. */
    private static final class GapDetected extends RuntimeException {
        GapDetected(String message) {
            super(message, null, false, false);
        }
    }
}
