package org.openspheron.matchmaker.bench;

import static org.openspheron.chain.ProtocolFixture.gpuOrder;
import static org.openspheron.chain.ProtocolFixture.tokens;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.GpuOffer;
import org.openspheron.chain.LocalChain;
import org.openspheron.chain.ProtocolConfig;
import org.openspheron.chain.ProtocolDeployer;
import org.openspheron.chain.ProtocolFixture;
import org.openspheron.chain.ProtocolReader;
import org.openspheron.chain.ProviderClient;
import org.openspheron.matchmaker.chain.ChainSession;
import org.openspheron.matchmaker.quorum.PeerDecision;
import org.openspheron.matchmaker.quorum.PeerTransport;
import org.openspheron.matchmaker.quorum.Quorum;
import org.openspheron.matchmaker.quorum.SignedMatch;
import org.openspheron.matchmaker.reconcile.MatchEvents;
import org.openspheron.matchmaker.reconcile.MatchReconciler;
import org.openspheron.matchmaker.scoring.Scorer;
import org.openspheron.matchmaker.scoring.ScoringPolicy;

/**
 * End-to-end matching on a local anvil: 20 providers bid on every order, three operators (threshold two) match
 * them. Orders and bids are placed first (that is the tenants' and providers' time), then the windows close and
 * the clock runs until every order has its lease. Prints orders matched per minute and how much of that wall time
 * the matchmakers' JVM spent on CPU (the rest is waiting for the node). Asserts nothing about time.
 */
@Tag("benchmark")
class EndToEndBenchmark {
    private static final int PROVIDERS = 20;
    private static final int ORDERS = Integer.getInteger("bench.orders", 40);
    private static final int FIRST_BENCH_PROVIDER = 30;

    @Test
    void ordersMatchedPerMinute() throws Exception {
        LocalChain chain = LocalChain.builder().accounts(FIRST_BENCH_PROVIDER + PROVIDERS).build().start();
        List<String> operators = List.of(LocalChain.devAccount(1).getAddress(), LocalChain.devAccount(2).getAddress(),
                LocalChain.devAccount(3).getAddress());
        long window = (long) ORDERS * (PROVIDERS + 2) + 10;
        try (ProtocolFixture fixture = ProtocolFixture.start(ProtocolConfig.local(operators, 2).withBidWindowBlocks(window), chain)) {
            long setupStart = System.nanoTime();
            List<ProviderClient> providers = new ArrayList<>();
            for (int i = 0; i < PROVIDERS; i++) {
                var key = chain.account(FIRST_BENCH_PROVIDER + i);
                ProtocolDeployer.mint(fixture.connection(), fixture.owner(), key.getAddress(), tokens(10_000));
                ProviderClient p = new ProviderClient(fixture.connection(), key);
                p.register(i % 2 == 0 ? "eu-west" : "us-east", i % 3 == 0 ? "a" : "b", "https://p" + i,
                        List.of(new GpuOffer("H100", 8, 8)), fixture.config().minStake().multiply(java.math.BigInteger.valueOf(1 + i % 4)));
                providers.add(p);
            }
            List<Long> orderIds = new ArrayList<>();
            for (int o = 0; o < ORDERS; o++) {
                long id = fixture.tenant(o % 6).createOrder(gpuOrder(1, "H100", "eu-west", tokens(10)), tokens(20));
                for (int i = 0; i < PROVIDERS; i++) {
                    providers.get(i).submitBid(id, tokens(2 + (i * 7 + o) % 8));
                }
                orderIds.add(id);
            }
            for (long id : orderIds) {
                fixture.closeBidWindow(id);
            }
            double setupSeconds = (System.nanoTime() - setupStart) / 1e9;

            List<Node> nodes = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                nodes.add(new Node(fixture, i, nodes));
            }
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpuAtStart = os.getProcessCpuTime();
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong cpuNanos = new AtomicLong();
            AtomicLong passNanos = new AtomicLong();
            AtomicLong passes = new AtomicLong();
            List<Thread> workers = new ArrayList<>();
            long start = System.nanoTime();
            for (Node node : nodes) {
                Thread t = new Thread(() -> {
                    while (running.get()) {
                        long p = System.nanoTime();
                        try {
                            node.reconciler.reconcile();
                        } catch (RuntimeException e) {
                            System.out.println("pass failed: " + e.getMessage());
                        }
                        passNanos.addAndGet(System.nanoTime() - p);
                        passes.incrementAndGet();
                        sleep(50);
                    }
                });
                t.start();
                workers.add(t);
            }
            ProtocolReader reader = fixture.reader();
            while (!reader.openOrderIds().isEmpty() && System.nanoTime() - start < 600_000_000_000L) {
                sleep(50);
            }
            double wall = (System.nanoTime() - start) / 1e9;
            cpuNanos.set(os.getProcessCpuTime() - cpuAtStart);
            running.set(false);
            for (Thread t : workers) {
                t.join();
            }
            long matched = orderIds.stream().filter(id -> reader.requireOrder(id).leaseId() > 0).count();
            System.out.printf("end-to-end: %d orders x %d bids, 3 operators (threshold 2), local anvil%n", ORDERS, PROVIDERS);
            System.out.printf("  setup (register, %d orders, %d bids, close windows): %.1f s%n", ORDERS, ORDERS * PROVIDERS, setupSeconds);
            System.out.printf("  matched %d/%d in %.2f s wall: %.0f orders/minute%n", matched, ORDERS, wall, matched * 60 / wall);
            System.out.printf("  %d reconcile passes, mean %.1f ms; the matchmakers' JVM used %.1f s of CPU = %.1f%% of the "
                    + "wall time (the rest is anvil answering RPC: the JVM waits on it)%n", passes.get(),
                    passNanos.get() / 1e6 / Math.max(1, passes.get()), cpuNanos.get() / 1e9, 100.0 * cpuNanos.get() / 1e9 / wall);
            nodes.forEach(n -> {
                n.reconciler.close();
                n.chain.close();
            });
        }
    }

    /** An operator wired to the others by direct calls; signatures still go through ECDSA verification. */
    private static final class Node {
        final ChainSession chain;
        final Quorum quorum;
        final MatchReconciler reconciler;

        Node(ProtocolFixture fixture, int index, List<Node> all) {
            chain = new ChainSession(fixture.chain().rpcUrl(), fixture.addresses(), fixture.matchmakerKey(index));
            quorum = new Quorum(chain);
            PeerTransport peers = () -> all.stream().filter(n -> n != this).map(n -> (PeerTransport.Peer) new PeerTransport.Peer() {
                @Override
                public String name() {
                    return "node";
                }

                @Override
                public void send(SignedMatch signature) {
                    n.quorum.receive(signature);
                }

                @Override
                public java.util.Optional<PeerDecision> decision(long orderId) {
                    return n.reconciler.peerDecision(orderId);
                }
            }).toList();
            reconciler = new MatchReconciler(chain, new Scorer(ScoringPolicy.defaults()), quorum, peers, 0,
                    MatchEvents.NONE, Runnable::run, Clock.systemUTC(), 8);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
