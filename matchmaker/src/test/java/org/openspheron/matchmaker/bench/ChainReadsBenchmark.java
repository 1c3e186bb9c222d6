package org.openspheron.matchmaker.bench;

import static org.openspheron.chain.ProtocolFixture.gpuOrder;
import static org.openspheron.chain.ProtocolFixture.tokens;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.GpuOffer;
import org.openspheron.chain.LocalChain;
import org.openspheron.chain.ProtocolConfig;
import org.openspheron.chain.ProtocolFixture;
import org.openspheron.chain.bench.BulkMarket;
import org.openspheron.chain.rpc.RpcStats;
import org.openspheron.contracts.generated.DeploymentOrder;
import org.openspheron.matchmaker.chain.ChainSession;
import org.openspheron.matchmaker.quorum.Quorum;
import org.openspheron.matchmaker.reconcile.MatchEvents;
import org.openspheron.matchmaker.reconcile.MatchReconciler;
import org.openspheron.matchmaker.scoring.Scorer;
import org.openspheron.matchmaker.scoring.ScoringPolicy;

/**
 * What one matchmaker process costs per block with N open orders of B bids each (bid windows open, the state most of
 * a busy market is in), on a local anvil: RPC calls by JSON-RPC method and HTTP requests, counted by the process's own
 * transport; the CPU of its pass; the full read of the state (at start, every {@code resync-every-blocks}, after a
 * reorg), timed and counted apart; and the heap the index holds. Quiet blocks carry no protocol event; busy blocks
 * alternate a new order and two bids on it (1.5 events a block), against the target of 10 + 2 × events calls.
 * Asserts nothing; the orders and bids it asked for are checked to be on chain before it measures.
 *
 * <p>{@code -Dbench.orders=0,1000,5000} sets the stages (cumulative), {@code -Dbench.bids=20} the providers, each
 * bidding on every order, {@code -Dbench.blocks=10} the blocks measured of each kind.
 */
@Tag("benchmark")
class ChainReadsBenchmark {
    private static final double BLOCK_SECONDS = 2.0;

    @Test
    void rpcCallsPerBlockDoNotGrowWithOpenOrders() {
        int[] stages = Arrays.stream(System.getProperty("bench.orders", "0,100,1000").split(","))
                .mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        int bidders = Integer.getInteger("bench.bids", 20);
        int blocks = Integer.getInteger("bench.blocks", 10);
        LocalChain chain = LocalChain.builder().build().start();
        List<String> operators = List.of(LocalChain.devAccount(1).getAddress(), LocalChain.devAccount(2).getAddress(),
                LocalChain.devAccount(3).getAddress());
        try (ProtocolFixture fixture = ProtocolFixture.start(
                ProtocolConfig.local(operators, 2).withBidWindowBlocks(1_000_000), chain);
                BulkMarket market = new BulkMarket(chain, fixture.addresses())) {
            List<String> providers = new ArrayList<>();
            for (int i = 0; i < bidders; i++) {
                providers.add(fixture.registeredProvider(i, "eu-west", "a", List.of(new GpuOffer("H100", 8, 8)))
                        .address());
            }
            // Tenants are accounts 14..28; providers 0..19 take accounts 4..23, so the tenant is account 24.
            String tenant = fixture.tenantKey(10).getAddress();
            DeploymentOrder.OrderSpec spec = BulkMarket.onChain(gpuOrder(1, "H100", "eu-west", tokens(10)));
            System.out.printf("chain reads: one matchmaker pass per block, N open orders x %d bids from %d providers,"
                    + " local anvil, %d blocks of each kind%n", bidders, bidders, blocks);
            int open = 0;
            for (int n : stages) {
                long setupStart = System.nanoTime();
                while (open < n) {
                    int count = Math.min(5_000, n - open);
                    List<Long> ids = market.createOrders(tenant, count, spec, tokens(1));
                    market.bid(providers, ids, tokens(5));
                    open += count;
                }
                double setupSeconds = (System.nanoTime() - setupStart) / 1e9;
                int onChain = fixture.reader().openOrderIds().size();
                long lastId = fixture.reader().orderCount();
                int lastBids = n == 0 ? 0 : fixture.reader().bidCount(lastId);
                System.out.printf("%nN = %d: set up in %.0f s; on chain: %d open orders, the last with %d bids%n", n,
                        setupSeconds, onChain, lastBids);
                measure(chain, fixture, market, providers, tenant, spec, blocks);
                open = fixture.reader().openOrderIds().size();
            }
        }
    }

    private static void measure(LocalChain chain, ProtocolFixture fixture, BulkMarket market, List<String> providers,
            String tenant, DeploymentOrder.OrderSpec spec, int blocks) {
        long heapBefore = heapAfterGc();
        try (ChainSession session = new ChainSession(chain.rpcUrl(), fixture.addresses(), fixture.matchmakerKey(0))) {
            MatchReconciler reconciler = new MatchReconciler(session, new Scorer(ScoringPolicy.defaults()),
                    new Quorum(session), List::of, 2, MatchEvents.NONE, Runnable::run, Clock.systemUTC(), 8);
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            RpcStats.Snapshot start = stats(session);
            long resyncStart = System.nanoTime();
            reconciler.reconcile();
            long resyncMillis = (System.nanoTime() - resyncStart) / 1_000_000;
            RpcStats.Snapshot afterFirst = stats(session);
            long heapAfter = heapAfterGc();
            int indexed = session.indexStats().openOrders();

            Cpu quiet = new Cpu(threads);
            for (int b = 0; b < blocks; b++) {
                chain.mine(1);
                quiet.pass(reconciler);
            }
            RpcStats.Snapshot afterQuiet = stats(session);

            Cpu busy = new Cpu(threads);
            for (int b = 0; b < blocks; b += 2) {
                List<Long> created = market.createOrders(tenant, 1, spec, tokens(1));
                busy.pass(reconciler);
                market.bid(providers.subList(0, 2), created, tokens(5));
                busy.pass(reconciler);
            }
            RpcStats.Snapshot afterBusy = stats(session);
            reconciler.close();

            System.out.printf("  full read (first pass): %s; %d ms; index holds %d orders, heap +%.1f MB (%.0f bytes an"
                    + " order)%n", line(start, afterFirst, 1), resyncMillis, indexed, (heapAfter - heapBefore) / 1e6,
                    indexed == 0 ? 0 : (heapAfter - heapBefore) / (double) indexed);
            System.out.printf("  quiet block (0 events):   %s; %s%n", line(afterFirst, afterQuiet, blocks),
                    quiet.perBlock(blocks));
            int busyBlocks = 2 * ((blocks + 1) / 2);
            System.out.printf("  busy block (1.5 events): %s; %s; target 10 + 2 x 1.5 = 13 calls%n",
                    line(afterQuiet, afterBusy, busyBlocks), busy.perBlock(busyBlocks));
        }
    }

    /** The CPU of the passes: the pass's own thread, and the whole JVM (GC, web3j's and OkHttp's threads). */
    private static final class Cpu {
        private final ThreadMXBean threads;
        private long threadNanos;
        private long processNanos;

        Cpu(ThreadMXBean threads) {
            this.threads = threads;
        }

        void pass(MatchReconciler reconciler) {
            long process = processCpuNanos();
            long thread = threads.getCurrentThreadCpuTime();
            reconciler.reconcile();
            threadNanos += threads.getCurrentThreadCpuTime() - thread;
            processNanos += processCpuNanos() - process;
        }

        String perBlock(int blocks) {
            double thread = threadNanos / 1e6 / blocks;
            double process = processNanos / 1e6 / blocks;
            return String.format("CPU a pass %.1f ms on its thread, %.1f ms in the JVM = %.2f%% of one core at one"
                    + " block every %.0f s", thread, process, 100 * process / (BLOCK_SECONDS * 1000), BLOCK_SECONDS);
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static RpcStats.Snapshot stats(ChainSession session) {
        return session.reader().connection().rpcStats();
    }

    private static String line(RpcStats.Snapshot from, RpcStats.Snapshot to, int passes) {
        Map<String, Long> byMethod = new TreeMap<>();
        to.requestsByMethod().forEach((method, count) -> {
            long delta = count - from.requests(method);
            if (delta > 0) {
                byMethod.put(method, delta);
            }
        });
        StringBuilder methods = new StringBuilder();
        byMethod.forEach((method, count) -> methods.append(String.format("%s %.1f, ", method, count / (double) passes)));
        return String.format("%scalls %.1f, HTTP requests %.1f", methods,
                (to.requests() - from.requests()) / (double) passes,
                (to.httpRequests() - from.httpRequests()) / (double) passes);
    }
}
