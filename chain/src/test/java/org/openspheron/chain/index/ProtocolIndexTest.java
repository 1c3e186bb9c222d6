package org.openspheron.chain.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.openspheron.chain.ProtocolFixture.gpuOrder;
import static org.openspheron.chain.ProtocolFixture.tokens;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openspheron.chain.Bid;
import org.openspheron.chain.ChainConnection;
import org.openspheron.chain.ChainException;
import org.openspheron.chain.GpuOffer;
import org.openspheron.chain.ProtocolFixture;
import org.openspheron.chain.ProtocolReader;
import org.openspheron.chain.ProviderClient;
import org.openspheron.chain.rpc.FlakyRpcEndpoint;
import org.openspheron.chain.rpc.HeadSubscription;
import org.openspheron.chain.rpc.RpcOptions;
import org.openspheron.chain.rpc.RpcStats;

/** The index on a real anvil: it follows orders, bids, matches and cancels, and heals what it missed. */
class ProtocolIndexTest {
    @RegisterExtension
    static final ProtocolFixture protocol = ProtocolFixture.start();
    private static final IndexOptions OPTIONS = new IndexOptions(1_000, 2_000, 16);

    private final ProtocolReader reader = protocol.reader();

    @Test
    void ordersBidsMatchesAndCancelsAreReflected() {
        ProviderClient provider = provider(0);
        provider(1);
        ProtocolIndex index = new ProtocolIndex(reader, OPTIONS);
        index.follow();
        long matched = order();
        long cancelled = order();
        provider.submitBid(matched, tokens(5));
        provider(1).submitBid(matched, tokens(4));

        IndexView view = index.follow();

        assertThat(view.openOrderIds()).containsExactly(matched, cancelled);
        assertThat(view.order(matched).orElseThrow().order()).isEqualTo(reader.requireOrder(matched));
        assertThat(view.order(matched).orElseThrow().bids()).isEqualTo(reader.bids(matched));
        assertThat(view.order(cancelled).orElseThrow().bids()).isEmpty();

        protocol.tenant(0).cancelOrder(cancelled);
        protocol.closeBidWindow(matched);
        protocol.matchWithQuorum(matched, 1, 2);
        view = index.follow();

        assertThat(view.openOrderIds()).isEmpty();
        assertThat(index.stats().resyncs()).as("only the start read the whole state").isEqualTo(1);
    }

    @Test
    void anOrderPastItsMatchDeadlineLeavesTheIndexAsItLeavesOpenOrderIds() {
        ProtocolIndex index = new ProtocolIndex(reader, OPTIONS);
        long orderId = order();
        protocol.closeBidWindow(orderId);
        protocol.chain().mine(protocol.config().matchWindowBlocks() - 1);
        assertThat(index.follow().openOrderIds()).containsExactly(orderId);

        protocol.chain().mine(1);

        assertThat(reader.openOrderIds()).doesNotContain(orderId);
        assertThat(index.follow().openOrderIds()).doesNotContain(orderId);
    }

    @Test
    void aFollowPassReadsNoOrderWhenNothingHappened() {
        ProtocolIndex index = new ProtocolIndex(reader, OPTIONS);
        provider(0);
        for (int i = 0; i < 5; i++) {
            provider(0).submitBid(order(), tokens(3));
        }
        index.follow();
        protocol.chain().mine(1);
        RpcStats.Snapshot before = protocol.connection().rpcStats();

        IndexView view = index.follow();

        RpcStats.Snapshot after = protocol.connection().rpcStats();
        assertThat(after.requests("eth_call") - before.requests("eth_call")).isZero();
        assertThat(after.requests("eth_getLogs") - before.requests("eth_getLogs")).isEqualTo(1);
        assertThat(after.requests() - before.requests()).as("head, header, logs").isEqualTo(3);
        assertThat(index.follow()).as("a follow at the same head: the view published at it, not a new one")
                .isSameAs(view);
    }

    /** Issue 13: each order an event created cost two calls (getOrder, getOrderSpec); a range's new orders cost one. */
    @Test
    void theOrdersCreatedSinceTheLastPassAreReadInOneCall() {
        ProtocolIndex index = new ProtocolIndex(reader, OPTIONS);
        index.follow();
        List<Long> created = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            created.add(order());
        }
        RpcStats.Snapshot before = protocol.connection().rpcStats();

        IndexView view = index.follow();

        RpcStats.Snapshot after = protocol.connection().rpcStats();
        for (long id : created) {
            assertThat(view.order(id).orElseThrow().order()).isEqualTo(reader.requireOrder(id));
        }
        assertThat(after.requests("eth_call") - before.requests("eth_call")).as("four new orders").isEqualTo(1);
    }

    @Test
    void anOrderWhoseEventWasLostIsHealedByThePeriodicResync() {
        AtomicBoolean deaf = new AtomicBoolean(true);
        ProtocolIndex index = new ProtocolIndex(reader, new IndexOptions(5, 2_000, 16),
                (from, to) -> deaf.get() ? List.of() : reader.events(from, to));
        index.follow();
        long lost = order();
        assertThat(index.follow().openOrderIds()).as("its event never arrived").doesNotContain(lost);
        deaf.set(false);
        protocol.chain().mine(5);

        assertThat(index.follow().openOrderIds()).containsExactly(lost);
        assertThat(index.stats().resyncs()).isEqualTo(2);
    }

    @Test
    void aBidAfterALostBidIsAGapThatTheIndexHealsAtOnce() {
        AtomicBoolean deaf = new AtomicBoolean(false);
        ProtocolIndex index = new ProtocolIndex(reader, OPTIONS,
                (from, to) -> deaf.get() ? List.of() : reader.events(from, to));
        provider(0);
        provider(1);
        long orderId = order();
        index.follow();
        deaf.set(true);
        provider(0).submitBid(orderId, tokens(5));
        index.follow();
        deaf.set(false);
        provider(1).submitBid(orderId, tokens(4));

        List<Bid> bids = index.follow().order(orderId).orElseThrow().bids();

        assertThat(bids).isEqualTo(reader.bids(orderId)).hasSize(2);
        assertThat(index.stats().gaps()).isEqualTo(1);
    }

    @Test
    void anOrderCreatedInReorgedAwayBlocksDisappearsFromTheIndex() {
        ProtocolIndex index = new ProtocolIndex(reader, OPTIONS);
        long kept = order();
        index.follow();
        String beforeFork = protocol.snapshot();
        long reorgedAway = order();
        protocol.chain().mine(1);
        assertThat(index.follow().openOrderIds()).containsExactly(kept, reorgedAway);

        protocol.revertTo(beforeFork);
        protocol.chain().mine(10); // a longer fork without the order: the index sees a head past its own

        assertThat(index.follow().openOrderIds()).containsExactly(kept);
        assertThat(index.stats().reorgs()).isEqualTo(1);
        // Rolled back to the fork and replayed: no full read of the chain's state.
        assertThat(index.stats().resyncs()).isEqualTo(1);
    }

    @Test
    void aBidAndACancelInReorgedAwayBlocksAreTakenBackWithoutAFullRead() {
        ProviderClient provider = provider(0);
        ProtocolIndex index = new ProtocolIndex(reader, OPTIONS);
        long bidOn = order();
        long cancelled = order();
        index.follow();
        String beforeFork = protocol.snapshot();
        provider.submitBid(bidOn, tokens(5));
        protocol.tenant(0).cancelOrder(cancelled);
        protocol.chain().mine(1);
        IndexView onTheFork = index.follow();
        assertThat(onTheFork.order(bidOn).orElseThrow().bids()).hasSize(1);
        assertThat(onTheFork.openOrderIds()).containsExactly(bidOn);

        protocol.revertTo(beforeFork);
        protocol.chain().mine(4);
        IndexView after = index.follow();

        assertThat(after.openOrderIds()).containsExactly(bidOn, cancelled);
        assertThat(after.order(bidOn).orElseThrow().bids()).isEmpty();
        assertThat(reader.bids(bidOn)).isEmpty();
        assertThat(index.stats().reorgs()).isEqualTo(1);
        assertThat(index.stats().resyncs()).isEqualTo(1);
    }

    @Test
    void aReorgDeeperThanTheKeptBlocksReadsTheWholeStateAgain() {
        ProtocolIndex index = new ProtocolIndex(reader, new IndexOptions(1_000, 2_000, 4));
        long kept = order();
        index.follow();
        String beforeFork = protocol.snapshot();
        long reorgedAway = order();
        // Five passes on the fork: the four block hashes kept are all on it, none is a common ancestor.
        for (int pass = 0; pass < 5; pass++) {
            protocol.chain().mine(1);
            assertThat(index.follow().openOrderIds()).containsExactly(kept, reorgedAway);
        }

        protocol.revertTo(beforeFork);
        protocol.chain().mine(20);

        assertThat(index.follow().openOrderIds()).containsExactly(kept);
        assertThat(index.stats().reorgs()).isEqualTo(1);
        assertThat(index.stats().resyncs()).isEqualTo(2);
    }

    @Test
    void anRpcErrorMidFollowLosesNothing() {
        AtomicBoolean failing = new AtomicBoolean(false);
        ProtocolIndex index = new ProtocolIndex(reader, OPTIONS, (from, to) -> {
            if (failing.get()) {
                throw new ChainException("eth_getLogs failed: connection reset");
            }
            return reader.events(from, to);
        });
        provider(0);
        index.follow();
        long orderId = order();
        provider(0).submitBid(orderId, tokens(5));
        failing.set(true);
        assertThatThrownBy(index::follow).isInstanceOf(ChainException.class);
        failing.set(false);

        IndexView view = index.follow();

        assertThat(view.order(orderId).orElseThrow().bids()).hasSize(1);
        assertThat(index.stats().resyncs()).isEqualTo(1);
    }

    /**
     * Review attack 3 on the index: an order past the protocol's limits (only a chain deployed before them can hold
     * one; forged into storage here) is not offered as an order, but named with why, so that a reader can report
     * what it passes over; the orders after it are indexed as usual.
     */
    @Test
    void anOrderTheReaderCannotRepresentIsNamedNotOffered() {
        long hostile = order();
        long honest = order();
        protocol.forgeOrderMemoryMb(hostile, java.math.BigInteger.ONE.shiftLeft(64).subtract(java.math.BigInteger.ONE));

        IndexView view = new ProtocolIndex(reader, OPTIONS).follow();

        assertThat(view.openOrderIds()).contains(honest).doesNotContain(hostile);
        assertThat(view.unreadable()).containsOnlyKeys(hostile);
        assertThat(view.unreadable().get(hostile)).contains("memory");
    }

    /**
     * Issue 13, "an RPC that returns 429 or goes away delays work but loses none": orders and bids made while the
     * index's endpoint hangs up on every request, and then while it answers only 429s, are all in the index at the
     * first pass after it is back; the failed passes said so (a ChainException) instead of returning a stale view.
     */
    @Test
    void ordersMadeWhileTheRpcWasGoneOrRateLimitingAreAllIndexedOnceItIsBack() {
        provider(0);
        try (FlakyRpcEndpoint endpoint = FlakyRpcEndpoint.proxyTo(protocol.chain().rpcUrl());
             ChainConnection flaky = ChainConnection.connect(endpoint.url(), protocol.connection().addresses(),
                     RpcOptions.DEFAULT.withRetryFor(Duration.ofSeconds(2)))) {
            ProtocolIndex index = new ProtocolIndex(new ProtocolReader(flaky), OPTIONS);
            index.follow();

            endpoint.meanwhile(FlakyRpcEndpoint.hangUp());
            long duringOutage = order();
            provider(0).submitBid(duringOutage, tokens(5));
            assertThatThrownBy(index::follow).isInstanceOf(ChainException.class);

            endpoint.meanwhile(FlakyRpcEndpoint.tooManyRequests("1"));
            long duringRateLimit = order();
            assertThatThrownBy(index::follow).isInstanceOf(ChainException.class);

            endpoint.meanwhile(null);
            IndexView view = index.follow();

            assertThat(view.openOrderIds()).contains(duringOutage, duringRateLimit);
            assertThat(view.order(duringOutage).orElseThrow().bids()).isEqualTo(reader.bids(duringOutage)).hasSize(1);
            assertThat(view.head()).isEqualTo(reader.blockNumber());
            assertThat(index.stats().resyncs()).as("followed from where it stopped, not read again").isEqualTo(1);
        }
    }

    /**
     * Issue 13, "WebSocket newHeads when the URL is ws(s)://": with a subscription the index takes new blocks from it
     * and sends no eth_blockNumber, and it polls again when the subscription has nothing to offer.
     */
    @Test
    void withANewHeadsSubscriptionAPassSendsNoBlockNumberCall() throws Exception {
        ProtocolIndex index = new ProtocolIndex(reader, OPTIONS);
        try (HeadSubscription heads = HeadSubscription.open(protocol.chain().rpcUrl().replaceFirst("^http", "ws"),
                HeadSubscription.STALE_AFTER)) {
            index.useHeads(heads);
            index.follow();
            long orderId = order();
            for (int i = 0; i < 100 && !heads.head().equals(java.util.OptionalLong.of(reader.blockNumber())); i++) {
                Thread.sleep(50);
            }
            long before = protocol.connection().rpcStats().requests("eth_blockNumber");

            IndexView view = index.follow();

            assertThat(view.openOrderIds()).contains(orderId);
            assertThat(view.head()).isEqualTo(reader.blockNumber());
            assertThat(protocol.connection().rpcStats().requests("eth_blockNumber") - before)
                    .as("eth_blockNumber calls of the pass (one is the assertion's own)").isEqualTo(1);
        }
        protocol.chain().mine(1);
        long before = protocol.connection().rpcStats().requests("eth_blockNumber");
        assertThat(index.follow().head()).isEqualTo(protocol.chain().blockNumber().longValueExact());
        assertThat(protocol.connection().rpcStats().requests("eth_blockNumber") - before)
                .as("a closed subscription: the index polls").isEqualTo(1);
    }

    @Test
    void aRangeTheNodeRefusesAsTooLargeIsHalvedUntilItPasses() {
        ProtocolIndex index = new ProtocolIndex(reader, new IndexOptions(1_000, 64, 16), (from, to) -> {
            if (to - from + 1 > 8) {
                throw new ChainException("eth_getLogs failed: query exceeds max block range 8");
            }
            return reader.events(from, to);
        });
        index.follow();
        protocol.chain().mine(20);
        long orderId = order();
        protocol.chain().mine(20);

        assertThat(index.follow().openOrderIds()).containsExactly(orderId);
        assertThat(index.stats().refusedRanges()).isPositive();
        assertThat(index.stats().logRanges()).as("over 40 blocks in ranges of at most 8").isGreaterThanOrEqualTo(6);
    }

    @Test
    void aResyncReadsTheOrdersInOneCallPerGroupOfBoundedSize() {
        provider(0);
        provider(1);
        List<Long> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            long id = order();
            provider(i % 2).submitBid(id, tokens(5));
            ids.add(id);
        }
        // 6 views a call: 2 orders (getOrder, getOrderSpec, getBids each), so 8 orders take 4 calls.
        ProtocolIndex index = new ProtocolIndex(reader, new IndexOptions(1_000, 2_000, 16, 6));
        RpcStats.Snapshot before = protocol.connection().rpcStats();

        IndexView view = index.follow();

        RpcStats.Snapshot after = protocol.connection().rpcStats();
        assertThat(view.openOrderIds()).containsExactlyInAnyOrderElementsOf(ids);
        for (long id : ids) {
            assertThat(view.order(id).orElseThrow().order()).isEqualTo(reader.requireOrder(id));
            assertThat(view.order(id).orElseThrow().bids()).isEqualTo(reader.bids(id)).hasSize(1);
        }
        assertThat(after.requests("eth_call") - before.requests("eth_call"))
                .as("one call per two orders, plus openOrderIds, orderCount and matchWindowBlocks")
                .isEqualTo(4 + 3);
        assertThat(after.httpRequests() - before.httpRequests()).isEqualTo(after.requests() - before.requests());
    }

    @Test
    void anUnreadableOrderInABatchIsPassedOverAndTheRestAreRead() {
        long before = order();
        long hostile = order();
        long after = order();
        protocol.forgeOrderMemoryMb(hostile, java.math.BigInteger.ONE.shiftLeft(64).subtract(java.math.BigInteger.ONE));
        ProtocolIndex index = new ProtocolIndex(reader, new IndexOptions(1_000, 2_000, 16, 9));

        IndexView view = index.follow();

        assertThat(view.openOrderIds()).containsExactlyInAnyOrder(before, after);
    }

    private long order() {
        return protocol.tenant(0).createOrder(gpuOrder(1, "H100", "eu-west", tokens(10)), tokens(20));
    }

    private ProviderClient provider(int i) {
        ProviderClient p = protocol.provider(i);
        if (reader.provider(p.address()).isEmpty()) {
            return protocol.registeredProvider(i, "eu-west", "a", List.of(new GpuOffer("H100", 8, 8)));
        }
        return p;
    }
}
