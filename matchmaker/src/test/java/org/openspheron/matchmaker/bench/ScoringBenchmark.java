package org.openspheron.matchmaker.bench;

import java.lang.management.ManagementFactory;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.Bid;
import org.openspheron.chain.GpuOffer;
import org.openspheron.chain.Order;
import org.openspheron.chain.OrderSpec;
import org.openspheron.chain.OrderState;
import org.openspheron.chain.Provider;
import org.openspheron.matchmaker.scoring.Scorer;
import org.openspheron.matchmaker.scoring.ScoringPolicy;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * Scoring time per order for 10, 100 and 1,000 bids: warm-up, then one timing per call, p50/p99 from the sorted
 * samples. Prints figures; asserts nothing about time. Run with the command in README ("Running a matchmaker").
 */
@Tag("benchmark")
class ScoringBenchmark {
    private static final int WARMUP = 3_000;
    private static final int SAMPLES = 5_000;

    @Test
    void scoringTimePerOrder() {
        Scorer scorer = new Scorer(ScoringPolicy.defaults());
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        System.out.println("scoring time per order (" + SAMPLES + " samples after " + WARMUP + " warm-up calls);"
                + " wall time includes whatever else the machine runs, CPU time is this thread's own work");
        for (int bids : new int[] {10, 100, 1_000}) {
            Market market = market(bids);
            for (int i = 0; i < WARMUP; i++) {
                scorer.rank(market.order, market.bids, market.providers, seed(i));
            }
            long[] wall = new long[SAMPLES];
            long[] cpu = new long[SAMPLES];
            long blackhole = 0;
            long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < SAMPLES; i++) {
                long cpuStart = threads.getCurrentThreadCpuTime();
                long start = System.nanoTime();
                blackhole += scorer.rank(market.order, market.bids, market.providers, seed(i)).ranked().size();
                wall[i] = System.nanoTime() - start;
                cpu[i] = threads.getCurrentThreadCpuTime() - cpuStart;
            }
            long allocated = (threads.getCurrentThreadAllocatedBytes() - allocatedBefore) / SAMPLES;
            Arrays.sort(wall);
            Arrays.sort(cpu);
            System.out.printf("  %5d bids: wall p50 %8.1f us  p99 %8.1f us  max %8.1f us | cpu p50 %8.1f us"
                            + "  p99 %8.1f us | %,d bytes allocated per order  (%d)%n", bids,
                    wall[SAMPLES / 2] / 1e3, wall[(int) (SAMPLES * 0.99)] / 1e3, wall[SAMPLES - 1] / 1e3,
                    cpu[SAMPLES / 2] / 1e3, cpu[(int) (SAMPLES * 0.99)] / 1e3, allocated, blackhole % 7);
        }
    }

    private record Market(Order order, List<Bid> bids, Map<String, Provider> providers) {
    }

    private static Market market(int size) {
        OrderSpec spec = new OrderSpec(4000, 16384, 100000, 2, "H100", "eu-west", "a", false,
                BigInteger.valueOf(10_000_000), 3600, "0x" + "11".repeat(32));
        Order order = new Order(42, "0x" + "ee".repeat(20), OrderState.OPEN, 1, 10_000, BigInteger.TEN, 0, null, spec);
        List<Bid> bids = new ArrayList<>();
        Map<String, Provider> providers = new HashMap<>();
        String[] regions = {"eu-west", "us-east", "ap-south"};
        for (int i = 0; i < size; i++) {
            String address = String.format("0x%040x", i + 1);
            BigInteger stake = BigInteger.valueOf(100_000_000L + 1_000_000L * (i % 50));
            providers.put(address, new Provider(address, regions[i % 3], i % 2 == 0 ? "a" : "b", "https://p", stake,
                    stake, BigInteger.ZERO, 0, 1, i % 20, i % 3, (i % 20) * 86_400L, i % 5 == 0 ? 1 : 0, 9_000, BigInteger.ZERO, 1,
                    5_000 + (i * 37) % 5_000, true, List.of(new GpuOffer("H100", 8, i % 9 == 0 ? 1 : 8))));
            bids.add(new Bid(42, i, address, BigInteger.valueOf(1_000_000 + (i * 7919L) % 9_000_000), 10));
        }
        return new Market(order, bids, providers);
    }

    private static String seed(long n) {
        return Numeric.toHexString(Hash.sha3(Numeric.toBytesPadded(BigInteger.valueOf(n), 32)));
    }
}
