package org.openspheron.matchmaker.bench;

import static org.openspheron.chain.ProtocolFixture.gpuOrder;
import static org.openspheron.chain.ProtocolFixture.tokens;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.GpuOffer;
import org.openspheron.chain.LocalChain;
import org.openspheron.chain.ProtocolConfig;
import org.openspheron.chain.ProtocolFixture;
import org.openspheron.chain.ProviderClient;
import org.openspheron.chain.TenantClient;
import org.openspheron.chain.rpc.RpcStats;
import org.openspheron.matchmaker.chain.ChainSession;
import org.openspheron.matchmaker.quorum.Quorum;
import org.openspheron.matchmaker.reconcile.MatchEvents;
import org.openspheron.matchmaker.reconcile.MatchReconciler;
import org.openspheron.matchmaker.scoring.Scorer;
import org.openspheron.matchmaker.scoring.ScoringPolicy;

/**
 * RPC calls one matchmaker pass costs per block with N open orders of three bids each (bid windows open, the state
 * most of a busy market is in), counted by method by the chain transport itself. The figure to watch is that the
 * per-block count does not grow with N; the full reads (at start, every {@code resync-every-blocks}, after a reorg)
 * do, and are printed apart. Asserts nothing. {@code -Dbench.orders=0,100,1000} sets the stages.
 */
@Tag("benchmark")
class ChainReadsBenchmark {
    private static final int BIDS = 3;
    private static final int BLOCKS = 5;

    @Test
    void rpcCallsPerBlockDoNotGrowWithOpenOrders() {
        int[] stages = Arrays.stream(System.getProperty("bench.orders", "0,100,1000").split(","))
                .mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        LocalChain chain = LocalChain.builder().build().start();
        List<String> operators = List.of(LocalChain.devAccount(1).getAddress(), LocalChain.devAccount(2).getAddress(),
                LocalChain.devAccount(3).getAddress());
        try (ProtocolFixture fixture = ProtocolFixture.start(
                ProtocolConfig.local(operators, 2).withBidWindowBlocks(1_000_000), chain)) {
            List<ProviderClient> providers = new ArrayList<>();
            for (int i = 0; i < BIDS; i++) {
                providers.add(fixture.registeredProvider(i, "eu-west", "a", List.of(new GpuOffer("H100", 8, 8))));
            }
            TenantClient tenant = fixture.tenant(0);
            System.out.printf("chain reads: one matchmaker pass per block, N open orders x %d bids, local anvil%n", BIDS);
            System.out.printf("  %6s | %-34s | %-40s%n", "N", "per block (mean of " + BLOCKS + " blocks)",
                    "first pass (full read of the state)");
            int created = 0;
            for (int n : stages) {
                for (; created < n; created++) {
                    long id = tenant.createOrder(gpuOrder(1, "H100", "eu-west", tokens(10)), tokens(20));
                    for (ProviderClient p : providers) {
                        p.submitBid(id, tokens(5));
                    }
                }
                try (ChainSession session = new ChainSession(chain.rpcUrl(), fixture.addresses(), fixture.matchmakerKey(0))) {
                    MatchReconciler reconciler = new MatchReconciler(session, new Scorer(ScoringPolicy.defaults()),
                            new Quorum(session), List::of, 2, MatchEvents.NONE, Runnable::run,
                            Clock.systemUTC(), 8);
                    RpcStats.Snapshot start = stats(session);
                    reconciler.reconcile();
                    RpcStats.Snapshot afterFirst = stats(session);
                    for (int b = 0; b < BLOCKS; b++) {
                        chain.mine(1);
                        reconciler.reconcile();
                    }
                    RpcStats.Snapshot end = stats(session);
                    reconciler.close();
                    System.out.printf("  %6d | %-34s | %-40s%n", n, perBlock(afterFirst, end),
                            line(start, afterFirst, 1));
                }
            }
        }
    }

    private static RpcStats.Snapshot stats(ChainSession session) {
        return session.reader().connection().rpcStats();
    }

    private static String perBlock(RpcStats.Snapshot from, RpcStats.Snapshot to) {
        return line(from, to, BLOCKS);
    }

    private static String line(RpcStats.Snapshot from, RpcStats.Snapshot to, int passes) {
        return String.format("eth_call %.1f, eth_getLogs %.1f, total %.1f",
                (to.requests("eth_call") - from.requests("eth_call")) / (double) passes,
                (to.requests("eth_getLogs") - from.requests("eth_getLogs")) / (double) passes,
                (to.requests() - from.requests()) / (double) passes);
    }
}
