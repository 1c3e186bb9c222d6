package org.openspheron.matchmaker.reconcile;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.jboss.logging.Logger;
import org.openspheron.chain.Bid;
import org.openspheron.chain.ChainException;
import org.openspheron.chain.ContractRevertException;
import org.openspheron.chain.MatchmakerClient.MatchSignature;
import org.openspheron.chain.Order;
import org.openspheron.chain.OrderState;
import org.openspheron.chain.OrderStatus;
import org.openspheron.chain.PendingTransactionException;
import org.openspheron.chain.ProtocolReader;
import org.openspheron.chain.Provider;
import org.openspheron.chain.UnreadableOrderException;
import org.openspheron.chain.index.IndexView;
import org.openspheron.chain.index.IndexedOrder;
import org.openspheron.matchmaker.chain.ChainSession;
import org.openspheron.matchmaker.quorum.PeerDecision;
import org.openspheron.matchmaker.quorum.PeerTransport;
import org.openspheron.matchmaker.quorum.Quorum;
import org.openspheron.matchmaker.quorum.SignedMatch;
import org.openspheron.matchmaker.quorum.SignedMatch.MatchKey;
import org.openspheron.matchmaker.scoring.RankedBid;
import org.openspheron.matchmaker.scoring.Ranking;
import org.openspheron.matchmaker.scoring.Scorer;
import org.web3j.utils.Numeric;

/**
 * Drives every open order whose bid window has closed to a match. Level-triggered: each pass derives the work from
 * the chain (open orders, their bids, seeds, leases), never from remembered events, so a restart, a missed event or
 * a second instance cannot lose or duplicate a match. Open orders and their bids come from the process's
 * {@link org.openspheron.chain.index.ProtocolIndex}, which follows the chain's logs and reads its whole state again
 * on a gap, a reorg and periodically: a pass costs a constant number of calls plus the reads of the orders that need
 * a decision now (seed, provider records, a final check before submitting), never a call per open order. What it remembers in memory is only a cache of what the chain
 * says, plus the one thing the chain cannot say yet: that a submission of ours may still be on its way.
 *
 * <p>Not thread-safe: one pass at a time, run by {@link ReconcileLoop}. Peers' signatures may arrive concurrently
 * through {@link Quorum}.
 */
public final class MatchReconciler {
    private static final Logger LOG = Logger.getLogger(MatchReconciler.class);
    /** A submission whose outcome is unknown (the node went away mid-send) is not repeated for this many blocks. */
    static final long RESUBMIT_AFTER_BLOCKS = 10;
    /**
     * Blocks each signer waits per place in an order's submission order ({@link SubmitOrder}) before it sends the
     * match itself: the first sends at once, the second this many blocks after it held the quorum if the order is
     * still open then, and so on. Every signer of the quorum used to send matchOrder at once: one transaction made
     * the lease and the others were mined as reverts, gas paid for nothing on every order.
     */
    static final long SUBMIT_TURN_BLOCKS = 3;
    static final int SETTLED_KEPT = 10_000;

    private final ChainSession chain;
    /** The scorer for new decisions: the policy may change while the matchmaker runs (a MatchingPolicy). */
    private final Supplier<Scorer> scorers;
    private final Quorum quorum;
    private final PeerTransport peers;
    private final int confirmations;
    private final MatchEvents events;
    private final Executor publisher;
    private final Clock clock;

    private final Map<Long, Decision> decisions = new ConcurrentHashMap<>();
    private final Map<Long, Long> inFlight = new ConcurrentHashMap<>();
    /**
     * The head at which this operator first held a match's quorum: its turn to submit counts from there. Keyed by the
     * match (order, bid, seed): a new pick or seed is a new quorum and waits its turns again.
     */
    private final Map<MatchKey, Long> quorumSince = new ConcurrentHashMap<>();
    private final Set<String> reportedDisagreements = ConcurrentHashMap.newKeySet();
    /** Orders whose match the contract refused: their seed is read from the chain again on the next pass. */
    private final Set<Long> seedToReread = ConcurrentHashMap.newKeySet();
    /** Open orders past the protocol's limits (see UnreadableOrderException): warned about once, not read again. */
    private final Set<Long> unreadable = ConcurrentHashMap.newKeySet();
    private volatile List<Long> openOrders = List.of();
    private volatile long lastHead = -1;
    /** The index's reorg count at the last pass: a reorg may change any seed, so every seed is read again after one. */
    private volatile long reorgsSeen;
    /** The head at which the threshold, the operator set and the eligibility caches were last read. */
    private volatile long readAtHead = -1;
    private volatile int threshold;
    /** The last pass lost the node: the seeds are read again, as after a reorg. */
    private volatile boolean seedsSuspect;
    /** The protocol's match window (immutable on chain), read on first use. */
    private volatile long matchWindowBlocks = -1;
    private volatile Map<String, Optional<Provider>> providerCache = new ConcurrentHashMap<>();
    /**
     * Providers' present eligibility, read once per pass: every order whose window closed asks it of each of its
     * bidders, and 5,000 orders of 20 bids closing together cost 100,000 calls where the market has 20 providers.
     */
    private volatile Map<String, Boolean> eligibleCache = new ConcurrentHashMap<>();
    private final ExecutorService workers;

    public MatchReconciler(ChainSession chain, Scorer scorer, Quorum quorum, PeerTransport peers, int confirmations,
                           MatchEvents events, Executor publisher, Clock clock, int parallelism) {
        this(chain, () -> scorer, quorum, peers, confirmations, events, publisher, clock, parallelism);
    }

    public MatchReconciler(ChainSession chain, Supplier<Scorer> scorers, Quorum quorum, PeerTransport peers,
                           int confirmations, MatchEvents events, Executor publisher, Clock clock, int parallelism) {
        this.chain = chain;
        this.scorers = scorers;
        this.quorum = quorum;
        this.peers = peers;
        this.confirmations = confirmations;
        this.events = events;
        this.publisher = publisher;
        this.clock = clock;
        this.workers = Executors.newFixedThreadPool(Math.max(1, parallelism), r -> {
            Thread t = new Thread(r, "matchmaker-order");
            t.setDaemon(true);
            return t;
        });
    }

    /** Stops the worker threads. */
    public void close() {
        workers.shutdownNow();
    }

    /**
     * One pass over the chain's open orders.
     *
     * @return the head block the pass saw
     * @throws ChainException when the chain cannot be reached (the caller backs off and retries)
     */
    public long reconcile() {
        return reconcile(chain.index().follow());
    }

    private long reconcile(IndexView view) {
        try {
            return reconcileAt(view);
        } catch (ChainException e) {
            if (ChainSession.isUnreachable(e)) {
                // Lost the node anywhere in the pass: what was read at this head, and every seed, is read again.
                readAtHead = -1;
                seedsSuspect = true;
            }
            throw e;
        }
    }

    private long reconcileAt(IndexView view) {
        ProtocolReader reader = chain.reader();
        long head = view.head();
        boolean reorged = view.reorgs() != reorgsSeen || seedsSuspect;
        if (head != readAtHead || reorged) {
            // What the chain says at a head does not change until the next: passes at the same head (a poll while
            // signatures are collected, a peer's wake-up) read none of it again.
            threshold = reader.matchThreshold();
            quorum.refreshOperators();
            providerCache = new ConcurrentHashMap<>();
            eligibleCache = new ConcurrentHashMap<>();
            readAtHead = head;
        }
        int threshold = this.threshold;
        List<Long> open = view.openOrderIds();
        unreadable.retainAll(open);
        seedToReread.retainAll(open);
        readPicksEligibility(reader, open);
        // Orders are independent and the work is waiting on RPC, so they are reconciled side by side; each order is
        // still handled by exactly one task per pass, and passes never overlap.
        List<Future<?>> tasks = new ArrayList<>(open.size());
        for (long orderId : open) {
            if (!unreadable.contains(orderId)) {
                IndexedOrder order = view.open().get(orderId);
                if (!quiet(order, head, reorged)) {
                    tasks.add(workers.submit(() -> reconcileOrderLogged(reader, order, head, threshold, reorged)));
                }
            }
        }
        ChainException unreachable = null;
        for (Future<?> task : tasks) {
            try {
                task.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof ChainException c && unreachable == null) {
                    unreachable = c;
                } else if (!(e.getCause() instanceof ChainException)) {
                    LOG.errorf(e.getCause(), "reconciling an order failed");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ChainException("interrupted during a reconcile pass", e);
            }
        }
        if (unreachable != null) {
            readAtHead = -1;
            // The node may come back with another history (a restart without its blocks): read every seed again.
            seedsSuspect = true;
            throw unreachable;
        }
        Set<Long> stillOpen = new HashSet<>(open);
        for (Decision d : List.copyOf(decisions.values())) {
            if (!d.status().settled() && !stillOpen.contains(d.orderId())) {
                settle(reader, d.orderId());
            }
        }
        openOrders = List.copyOf(open);
        lastHead = head;
        reorgsSeen = view.reorgs();
        seedsSuspect = false;
        forgetOldSettled();
        return head;
    }

    /**
     * Whether the order has nothing to do this pass, as {@link #reconcileOrder} would find without a call: its bid
     * window is still open (and it was seen already), or it was decided under this seed with nothing to sign and no
     * reorg since. Thousands of open orders are mostly one or the other; they are passed over here, not handed one
     * by one to the worker pool.
     */
    private boolean quiet(IndexedOrder indexed, long head, boolean reorged) {
        Decision previous = decisions.get(indexed.id());
        if (previous == null) {
            return false;
        }
        long windowEnd = indexed.order().bidWindowEnd();
        if (previous.status() == MatchStatus.WAITING_WINDOW) {
            return head - confirmations <= windowEnd;
        }
        return previous.status() == MatchStatus.NO_ELIGIBLE_BID && !reorged && previous.seed() != null
                && !seedToReread.contains(indexed.id())
                && matchWindowBlocks >= 0 && head <= windowEnd + matchWindowBlocks;
    }

    /**
     * The present eligibility of every pick still to be matched, in one call: each such order checks its pick each
     * pass (a pick that lost its standing is replaced), and one call per pick would grow with the orders in signing.
     */
    private void readPicksEligibility(ProtocolReader reader, List<Long> open) {
        List<String> picks = new ArrayList<>();
        for (long id : open) {
            Decision d = decisions.get(id);
            if (d != null && d.ranking() != null
                    && (d.status() == MatchStatus.SIGNING || d.status() == MatchStatus.SUBMITTED)) {
                d.ranking().pick().ifPresent(p -> picks.add(p.bid().provider()));
            }
        }
        if (picks.isEmpty()) {
            return;
        }
        try {
            readEligibility(reader, picks);
        } catch (ChainException e) {
            if (ChainSession.isUnreachable(e)) {
                throw e;
            }
            // Each order asks for its own pick instead.
            LOG.debugf("reading the picks' eligibility together failed: %s", e.getMessage());
        }
    }

    /**
     * A pass when there can be something to do: a new block, a wake-up (a peer's signature, an admin), or a match
     * still collecting signatures from peers. Otherwise only the block number is read (by the index, which has
     * nothing more to read at the same head).
     *
     * @return whether a pass ran
     */
    public boolean reconcileIfNeeded(boolean woken) {
        IndexView view = chain.index().follow();
        if (!woken && lastHead >= 0 && !hasPendingMatches() && view.head() == lastHead) {
            return false;
        }
        reconcile(view);
        return true;
    }

    private boolean hasPendingMatches() {
        for (Decision d : decisions.values()) {
            if (d.status() == MatchStatus.SIGNING || d.status() == MatchStatus.SUBMITTED) {
                return true;
            }
        }
        return false;
    }

    /** Settled orders are kept for the API, the most recent {@link #SETTLED_KEPT} of them. */
    private void forgetOldSettled() {
        List<Long> settled = decisions.values().stream().filter(d -> d.status().settled()).map(Decision::orderId)
                .sorted().toList();
        for (int i = 0; i < settled.size() - SETTLED_KEPT; i++) {
            decisions.remove(settled.get(i));
        }
    }

    public Optional<Decision> decision(long orderId) {
        return Optional.ofNullable(decisions.get(orderId));
    }

    /** Open orders as of the last pass, with this operator's decision where it has one. */
    public List<Decision> openDecisions() {
        List<Decision> out = new ArrayList<>();
        for (long id : openOrders) {
            Optional.ofNullable(decisions.get(id)).ifPresent(out::add);
        }
        return out;
    }

    public long lastHead() {
        return lastHead;
    }

    /** What this operator tells a peer asking about the order. */
    public Optional<PeerDecision> peerDecision(long orderId) {
        Decision d = decisions.get(orderId);
        List<SignedMatch> signatures = quorum.signaturesFor(orderId);
        if (d == null && signatures.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new PeerDecision(orderId, quorum.self(), d == null ? "unknown" : d.status().label(),
                d == null ? null : d.pick(), d == null ? null : d.seed(), PeerDecision.lines(d == null ? null : d.ranking()),
                signatures, d == null || d.ranking() == null ? null : d.ranking().policyFingerprint()));
    }

    private void reconcileOrderLogged(ProtocolReader reader, IndexedOrder indexed, long head, int threshold,
                                      boolean reorged) {
        long orderId = indexed.id();
        try {
            reconcileOrder(reader, indexed, head, threshold, reorged);
        } catch (UnreadableOrderException e) {
            // Its spec never changes: reading it again each block would only repeat this.
            unreadable.add(orderId);
            LOG.warnf("passing over order %d: %s", orderId, e.getMessage());
        } catch (ChainException e) {
            // The pass may have failed between reading a changed seed and deciding under it (after a reorg, say):
            // the next pass reads the seed again rather than hold the one the decision still carries.
            seedToReread.add(orderId);
            if (ChainSession.isUnreachable(e)) {
                throw e;
            }
            LOG.warnf("order %d: %s; retrying on the next block", orderId, e.getMessage());
        } catch (RuntimeException e) {
            seedToReread.add(orderId);
            throw e;
        }
    }

    private void reconcileOrder(ProtocolReader reader, IndexedOrder indexed, long head, int threshold,
                                boolean reorged) {
        long orderId = indexed.id();
        Decision previous = decisions.get(orderId);
        Order order = indexed.order();
        if (previous == null) {
            events.orderSeen(orderId);
        }
        if (head - confirmations <= order.bidWindowEnd()) {
            // The seed is the window-end block's hash: signing before it is final could sign a reorged-away seed.
            decisions.put(orderId, new Decision(orderId, MatchStatus.WAITING_WINDOW, order.bidWindowEnd(), null, null,
                    null, 0, List.of(), null));
            return;
        }
        long deadline = order.bidWindowEnd() + matchWindowBlocks(reader);
        if (head <= deadline && !reorged && previous != null && previous.seed() != null
                && previous.status() == MatchStatus.NO_ELIGIBLE_BID && !seedToReread.contains(orderId)) {
            // Decided under this seed and nothing to sign: with no reorg since, neither the seed nor the bids changed.
            return;
        }
        // A seed read at a confirmed block changes only with a reorg (which the index counts) or when a match under
        // it was refused: then it is read again, otherwise held, one call per signing order and block saved.
        boolean reread = seedToReread.remove(orderId);
        boolean held = !reread && !reorged && previous != null && previous.seed() != null
                && previous.ranking() != null
                && (previous.status() == MatchStatus.SIGNING || previous.status() == MatchStatus.SUBMITTED);
        Optional<String> liveSeed = head > deadline ? Optional.empty()
                : held ? Optional.of(previous.seed()) : seed(reader, order, head);
        if (liveSeed.isEmpty()) {
            // Past its match deadline the contract refuses any match (quorum signatures included): nothing to do.
            if (previous == null || previous.status() != MatchStatus.EXPIRED) {
                LOG.infof("order %d expired unmatched at block %d; its tenant cancels it for the deposit", orderId,
                        deadline);
            }
            forgetQuorumSince(orderId);
            decisions.put(orderId, new Decision(orderId, MatchStatus.EXPIRED, order.bidWindowEnd(),
                    previous == null ? null : previous.seed(), previous == null ? null : previous.ranking(),
                    previous == null ? null : previous.windowClosedAt(), 0, List.of(),
                    "match deadline block " + deadline + " passed"));
            return;
        }
        String seed = liveSeed.get();
        Instant closedAt = previous != null && previous.windowClosedAt() != null ? previous.windowClosedAt() : clock.instant();
        Decision decision = previous;
        if (decision == null || decision.ranking() == null || !seed.equalsIgnoreCase(decision.seed())) {
            if (decision != null && decision.seed() != null) {
                LOG.warnf("order %d: its seed changed from %s to %s (a reorg); deciding again", orderId,
                        decision.seed(), seed);
            }
            quorum.forgetOtherSeeds(orderId, seed);
            decision = decide(reader, indexed, seed, closedAt);
        } else if (decision.status() != MatchStatus.NO_ELIGIBLE_BID && decision.ranking().pick().isPresent()
                && !eligibleNow(reader, decision.ranking().pick().get().bid().provider())) {
            // The pick lost its eligibility (say it dipped below the minimum stake): the contract would refuse it.
            // The next candidate under the same seed takes its place; the seed cannot be changed by anyone.
            LOG.warnf("order %d: the picked provider %s is no longer eligible; deciding again under the same seed",
                    orderId, decision.ranking().pick().get().bid().provider());
            decision = decide(reader, indexed, seed, closedAt);
        }
        decisions.put(orderId, decision);
        if (decision.status() == MatchStatus.NO_ELIGIBLE_BID) {
            return;
        }
        int bidIndex = decision.pick();
        MatchKey key = new MatchKey(orderId, bidIndex, seed.toLowerCase(java.util.Locale.ROOT));
        if (!quorum.holdsOwn(key)) {
            publish(quorum.sign(orderId, bidIndex, seed));
        }
        if (quorum.signatures(key).size() < threshold) {
            collectFromPeers(orderId);
        }
        noteDisagreements(orderId, key);
        if (quorum.signaturesFor(orderId).stream().anyMatch(sig -> !sig.seed().equalsIgnoreCase(key.seed()))) {
            // A peer signed under another seed: one of us holds a seed the chain no longer has (our node lost or
            // replaced blocks without the index seeing a reorg). Ours is read again on the next pass.
            seedToReread.add(orderId);
        }
        List<SignedMatch> signatures = quorum.signatures(key);
        if (signatures.size() >= threshold) {
            submit(reader, order, decisions.get(orderId), key, signatures, threshold, head);
        } else if (decisions.get(orderId).status() != MatchStatus.SUBMITTED) {
            decisions.computeIfPresent(orderId, (id, d) -> d.with(MatchStatus.SIGNING,
                    signatures.size() + " of " + threshold + " signatures"));
        }
    }

    /**
     * The order's seed, keccak(blockhash(bidWindowEnd), orderId), read from the chain when the order is decided, after
     * every reorg the index sees and after the contract refused a match: a block hash that changed must change the
     * decision, never leave a stale signature standing. Empty once the hash aged out, which is past the match
     * deadline.
     */
    private Optional<String> seed(ProtocolReader reader, Order order, long head) {
        return reader.seed(order, head);
    }

    private long matchWindowBlocks(ProtocolReader reader) {
        if (matchWindowBlocks < 0) {
            matchWindowBlocks = reader.matchWindowBlocks();
        }
        return matchWindowBlocks;
    }

    private Decision decide(ProtocolReader reader, IndexedOrder indexed, String seed, Instant closedAt) {
        Order order = indexed.order();
        List<Bid> bids = bidsToDecideOn(reader, indexed);
        Map<String, Provider> providers = providersAsOfTheirBids(reader, bids);
        // Eligible at its bid and still eligible now: the contract checks the match against the present, so a
        // provider that lost its standing since (below the minimum stake, say) is passed over for the next candidate.
        readEligibility(reader, providers.values().stream().filter(Provider::eligible).map(Provider::address).toList());
        providers.replaceAll((address, p) -> p.eligible() && !eligibleNow(reader, address) ? p.withEligible(false) : p);
        Ranking ranking = scorers.get().rank(order, bids, providers, seed);
        if (ranking.pick().isEmpty()) {
            String why = bids.isEmpty() ? "no bids" : "no bid qualifies: " + ranking.ranked().stream()
                    .map(r -> "bid " + r.bid().index() + " " + r.exclusion()).reduce((a, b) -> a + "; " + b).orElse("");
            LOG.infof("order %d: %s; leaving it for the tenant to cancel", order.id(), why);
            return new Decision(order.id(), MatchStatus.NO_ELIGIBLE_BID, order.bidWindowEnd(), seed, ranking, closedAt,
                    0, List.of(), why);
        }
        RankedBid pick = ranking.pick().get();
        LOG.infof("order %d: picked bid %d of %s (score %.4f, %d candidates, %d bids, policy %s)", order.id(),
                pick.bid().index(), pick.bid().provider(), pick.score(), ranking.candidates().size(), bids.size(),
                ranking.policyFingerprint());
        return new Decision(order.id(), MatchStatus.SIGNING, order.bidWindowEnd(), seed, ranking, closedAt, 0,
                List.of(), null);
    }

    /**
     * The order's bids from the index, checked against the chain's count first (one call, once per decision): a bid
     * whose event the index missed would make this operator rank other bids than its peers. When the counts differ
     * the bids are read from the chain and the index is told to read the whole state again.
     */
    private List<Bid> bidsToDecideOn(ProtocolReader reader, IndexedOrder indexed) {
        int onChain = reader.bidCount(indexed.id());
        if (onChain == indexed.bids().size()) {
            return indexed.bids();
        }
        LOG.warnf("order %d: the index holds %d bids, the chain %d; reading them from the chain", indexed.id(),
                indexed.bids().size(), onChain);
        chain.index().requestResync();
        return reader.bids(indexed.id());
    }

    /** Whether {@code provider} may be matched now, as the chain said earlier in this pass. */
    private boolean eligibleNow(ProtocolReader reader, String provider) {
        Map<String, Boolean> cache = eligibleCache;
        Boolean known = cache.get(provider.toLowerCase(java.util.Locale.ROOT));
        if (known != null) {
            return known;
        }
        boolean eligible = reader.isEligible(provider);
        cache.putIfAbsent(provider.toLowerCase(java.util.Locale.ROOT), eligible);
        return eligible;
    }

    /**
     * Each bidder's record as of the block before its bid: after bidding, a provider reserves the GPUs for the order
     * and advertises them as taken, so its record at the window's end would exclude its own bid, and so would its
     * record at the bid's own block when the chain mines several transactions a block and the update lands next to
     * the bid. Still a block every operator agrees on. A provider that registered in the bid's own block has no
     * earlier record: then the bid's block is the first one there is. The bidders of one block are read together, in
     * one call ({@link ProtocolReader#providersAt}): an order costs a call per block its bids were placed in, not four
     * per bid.
     */
    private Map<String, Provider> providersAsOfTheirBids(ProtocolReader reader, List<Bid> bids) {
        Map<Long, List<String>> byBlock = new java.util.TreeMap<>();
        for (Bid bid : bids) {
            byBlock.computeIfAbsent(bid.placedBlock() - 1, b -> new ArrayList<>()).add(bid.provider());
        }
        Map<String, Provider> providers = new HashMap<>();
        Map<Long, List<String>> registeredInTheirBidBlock = new java.util.TreeMap<>();
        for (Map.Entry<Long, List<String>> group : byBlock.entrySet()) {
            providersAt(reader, group.getValue(), group.getKey()).forEach((address, p) -> {
                if (p.isPresent()) {
                    providers.putIfAbsent(address, p.get());
                } else {
                    registeredInTheirBidBlock.computeIfAbsent(group.getKey() + 1, b -> new ArrayList<>()).add(address);
                }
            });
        }
        for (Map.Entry<Long, List<String>> group : registeredInTheirBidBlock.entrySet()) {
            providersAt(reader, group.getValue(), group.getKey())
                    .forEach((address, p) -> p.ifPresent(record -> providers.putIfAbsent(address, record)));
        }
        return providers;
    }

    /** Provider records as of a given block, the state every operator can agree on; those not read yet in one call. */
    private Map<String, Optional<Provider>> providersAt(ProtocolReader reader, List<String> addresses, long block) {
        Map<String, Optional<Provider>> out = new HashMap<>();
        List<String> toRead = new ArrayList<>();
        for (String address : addresses) {
            Optional<Provider> cached = providerCache.get(address + "@" + block);
            if (cached != null) {
                out.put(address, cached);
            } else if (!toRead.contains(address)) {
                toRead.add(address);
            }
        }
        if (toRead.isEmpty()) {
            return out;
        }
        Map<String, Optional<Provider>> loaded;
        try {
            loaded = reader.providersAt(toRead, block);
        } catch (ChainException e) {
            if (ChainSession.isUnreachable(e)) {
                throw e;
            }
            LOG.warnf("cannot read providers %s at block %d (%s); using their latest records", toRead, block,
                    e.getMessage());
            loaded = new HashMap<>();
            for (String address : toRead) {
                loaded.put(address, reader.provider(address));
            }
        }
        loaded.forEach((address, p) -> {
            providerCache.putIfAbsent(address + "@" + block, p);
            out.put(address, p);
        });
        return out;
    }

    /** Reads, in one call, the present eligibility of those of {@code providers} this pass has not asked about. */
    private void readEligibility(ProtocolReader reader, List<String> providers) {
        Map<String, Boolean> cache = eligibleCache;
        List<String> unknown = providers.stream().map(a -> a.toLowerCase(java.util.Locale.ROOT))
                .filter(a -> !cache.containsKey(a)).distinct().toList();
        if (!unknown.isEmpty()) {
            reader.eligible(unknown).forEach(cache::putIfAbsent);
        }
    }

    private void publish(SignedMatch signature) {
        for (PeerTransport.Peer peer : peers.peers()) {
            publisher.execute(() -> {
                try {
                    peer.send(signature);
                } catch (PeerTransport.PeerException e) {
                    LOG.debugf("could not push order %d's signature to %s: %s (it will pull it)", signature.orderId(),
                            peer.name(), e.getMessage());
                }
            });
        }
    }

    private void collectFromPeers(long orderId) {
        for (PeerTransport.Peer peer : peers.peers()) {
            Optional<PeerDecision> theirs;
            try {
                theirs = peer.decision(orderId);
            } catch (PeerTransport.PeerException e) {
                LOG.debugf("peer %s did not answer for order %d: %s", peer.name(), orderId, e.getMessage());
                continue;
            }
            theirs.ifPresent(d -> d.signatures().forEach(s -> {
                try {
                    quorum.receive(s);
                } catch (Quorum.RejectedSignature e) {
                    LOG.warnf("peer %s relayed a signature for order %d that does not count: %s", peer.name(), orderId,
                            e.getMessage());
                }
            }));
        }
    }

    /**
     * Signatures held for another bid or seed of this order are disagreements; each is reported once, with both
     * rankings and both policy fingerprints: different fingerprints mean different policies, equal ones a different
     * view of the chain.
     */
    private void noteDisagreements(long orderId, MatchKey ours) {
        for (SignedMatch s : quorum.signaturesFor(orderId)) {
            if (s.key().equals(ours) || !reportedDisagreements.add(orderId + "/" + s.signer().toLowerCase())) {
                continue;
            }
            Ranking ourRanking = decisions.get(orderId).ranking();
            String ourPolicy = ourRanking == null ? null : ourRanking.policyFingerprint();
            Optional<PeerDecision> theirs = peerDecision(orderId, s.signer());
            String theirPolicy = theirs.map(PeerDecision::policyFingerprint).orElse(null);
            Disagreement d = new Disagreement(orderId, s.signer(), s.bidIndex(), s.seed(), ours.bidIndex(), ours.seed(),
                    theirPolicy, ourPolicy);
            decisions.computeIfPresent(orderId, (id, dec) -> dec.withDisagreement(d));
            events.disagreement(d);
            LOG.warnf("order %d: operator %s signed bid %d (seed %s) but we picked bid %d (seed %s); %s.%n"
                            + "  ours:   %s%n  theirs: %s",
                    orderId, s.signer(), s.bidIndex(), s.seed(), ours.bidIndex(), ours.seed(), d.policyVerdict(),
                    PeerDecision.lines(ourRanking),
                    theirs.map(p -> p.ranking().toString()).orElse("(no peer answered with its ranking)"));
        }
    }

    private Optional<PeerDecision> peerDecision(long orderId, String operator) {
        for (PeerTransport.Peer peer : peers.peers()) {
            try {
                Optional<PeerDecision> d = peer.decision(orderId);
                if (d.isPresent() && operator.equalsIgnoreCase(d.get().operator())) {
                    return d;
                }
            } catch (PeerTransport.PeerException e) {
                // The peer is away; the other peers may still be the one that signed.
            }
        }
        return Optional.empty();
    }

    private void submit(ProtocolReader reader, Order current, Decision decision, MatchKey key,
                        List<SignedMatch> signatures, int threshold, long head) {
        long orderId = key.orderId();
        Long sentAt = inFlight.get(orderId);
        if (sentAt != null && head - sentAt < RESUBMIT_AFTER_BLOCKS) {
            return;
        }
        // Open as of this pass's head (the index says so): a match mined since is refused with OrderNotOpen.
        long since = quorumSince.computeIfAbsent(key, k -> head);
        // Places among the whole operator set, not among the signatures held: two signers holding different
        // quorums (one lacks the first's signature) would otherwise both count themselves first and both send.
        List<String> places = new ArrayList<>(quorum.operatorSet());
        signatures.forEach(s -> places.add(s.signer()));
        int turn = SubmitOrder.turnOf(orderId, quorum.self(), places);
        // Never wait past the match deadline: the last turns before it come one block apart, in the same order, the
        // last two blocks before the deadline; so operators that are down ahead of this one cannot push every
        // signer into one last block together.
        long lastChance = current.bidWindowEnd() + matchWindowBlocks(reader) - 2;
        long turnAt = SubmitOrder.turnAt(since, turn, SUBMIT_TURN_BLOCKS, SubmitOrder.places(places), lastChance);
        if (sentAt == null && head < turnAt) {
            decisions.put(orderId, decision.with(MatchStatus.SIGNING, "quorum held; " + SubmitOrder.ordinal(turn)
                    + " to submit, at block " + turnAt + " if still open"));
            return;
        }
        List<MatchSignature> quorumSignatures = new ArrayList<>();
        for (SignedMatch s : withOwnFirst(signatures).subList(0, threshold)) {
            quorumSignatures.add(new MatchSignature(s.signer(), Numeric.hexStringToByteArray(s.signature())));
        }
        inFlight.put(orderId, head);
        decisions.put(orderId, decision.with(MatchStatus.SUBMITTED, null));
        try {
            long leaseId = chain.client().matchOrder(orderId, key.bidIndex(), quorumSignatures);
            inFlight.remove(orderId);
            events.matchSubmitted(orderId);
            LOG.infof("order %d: matched bid %d, lease %d", orderId, key.bidIndex(), leaseId);
            // The receipt says what became of it: no read needed.
            settled(orderId, Optional.of(new OrderStatus(orderId, OrderState.MATCHED, current.bidWindowEnd(), leaseId,
                    key.seed())));
        } catch (ContractRevertException e) {
            // Refused at gas estimation or mined as a revert: nothing of ours is pending any more.
            inFlight.remove(orderId);
            if ("OrderNotOpen".equals(e.errorName())) {
                LOG.infof("order %d: another operator submitted the match first", orderId);
                settle(reader, orderId);
                return;
            }
            events.submissionFailed(orderId, e.errorName());
            seedToReread.add(orderId);
            decisions.put(orderId, decision.with(MatchStatus.SIGNING, e.getMessage()));
            LOG.warnf("order %d: %s; retrying on the next block", orderId, e.getMessage());
        } catch (PendingTransactionException e) {
            // Nothing sent: an earlier transaction of ours (this match's, whose receipt timed out, another order's,
            // or one a stopped process left in the pool) may still be mined. Not in flight: tried again next block.
            inFlight.remove(orderId);
            decisions.put(orderId, decision.with(MatchStatus.SIGNING, e.getMessage()));
            LOG.infof("order %d: %s", orderId, e.getMessage());
        } catch (ChainException e) {
            // The transaction may have been sent: keep it in flight so it is not sent twice; the chain will tell.
            events.submissionFailed(orderId, ChainSession.isUnreachable(e) ? "unreachable" : "error");
            LOG.warnf("order %d: matchOrder's outcome is unknown (%s); checking the chain before any retry", orderId,
                    e.getMessage());
            if (ChainSession.isUnreachable(e)) {
                throw e;
            }
        }
    }

    private void forgetQuorumSince(long orderId) {
        quorumSince.keySet().removeIf(k -> k.orderId() == orderId);
    }

    private List<SignedMatch> withOwnFirst(List<SignedMatch> signatures) {
        List<SignedMatch> out = new ArrayList<>(signatures);
        out.sort(java.util.Comparator.comparing((SignedMatch s) -> !s.signer().equalsIgnoreCase(quorum.self())));
        return out;
    }

    /** Records what became of an order that is no longer open: the lease it got, or its cancellation. */
    private void settle(ProtocolReader reader, long orderId) {
        settled(orderId, reader.orderStatus(orderId));
    }

    /** Records the order's outcome, read from the chain or known from our own match's receipt. */
    private void settled(long orderId, Optional<OrderStatus> order) {
        Decision previous = decisions.get(orderId);
        inFlight.remove(orderId);
        forgetQuorumSince(orderId);
        quorum.forget(orderId);
        if (order.isEmpty()) {
            decisions.remove(orderId);
            return;
        }
        OrderStatus o = order.get();
        Decision base = previous != null ? previous : new Decision(orderId, MatchStatus.WAITING_WINDOW,
                o.bidWindowEnd(), o.anchoredSeed(), null, null, 0, List.of(), null);
        if (o.state() == OrderState.MATCHED) {
            if (previous == null || previous.status() != MatchStatus.MATCHED) {
                Duration since = base.windowClosedAt() == null ? null : Duration.between(base.windowClosedAt(), clock.instant());
                events.matchObserved(orderId, since);
            }
            decisions.put(orderId, base.matched(o.leaseId()));
        } else if (o.state() == OrderState.CANCELLED) {
            decisions.put(orderId, base.with(MatchStatus.CANCELLED, null));
        } else {
            // Still open but no longer listed: past its match deadline.
            decisions.put(orderId, base.with(MatchStatus.EXPIRED, "match deadline passed unmatched"));
        }
    }
}
