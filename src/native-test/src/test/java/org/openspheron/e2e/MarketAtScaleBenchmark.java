package org.openspheron.e2e;

import static org.openspheron.chain.ProtocolFixture.manifestHash;
import static org.openspheron.chain.ProtocolFixture.tokens;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.GpuOffer;
import org.openspheron.chain.LocalChain;
import org.openspheron.chain.OrderSpec;
import org.openspheron.chain.ProtocolDeployer;
import org.openspheron.chain.ProtocolEvent;
import org.openspheron.chain.ProtocolReader;
import org.openspheron.chain.Provider;
import org.openspheron.chain.ProviderClient;
import org.openspheron.chain.TenantClient;
import org.openspheron.chain.bench.BulkMarket;
import org.openspheron.contracts.generated.DeploymentOrder;
import org.openspheron.devnet.AppProcess;
import org.openspheron.devnet.LocalProvider;
import org.openspheron.devnet.LocalSystem;

/**
 * Issue 13's benchmark: the packaged apps, each in its own process as a provider or matchmaker operator runs them
 * (three matchmakers, threshold two; the two provider operators of the local run on their real control planes), on
 * anvil mining a block every 2 s, with a market of N open orders of B bids each. Prints, per process, the RPC calls
 * a block by JSON-RPC method (from the process's own {@code spheron_chain_rpc_requests_total}), its CPU (from
 * /proc) and memory, and the blocks from each new order's bid window end to its lease. Asserts nothing.
 *
 * <p>The market: B bulk providers (development accounts 30 on, registered with the minimum stake) bid on each of N
 * orders that ask for a region none of them is in ({@code regionRequired}). Their bid windows close during the set-up;
 * every matchmaker then decides each of them once (no bid qualifies), and they stay open, held by every process's
 * index, until their match window runs out (255 blocks, the most the protocol allows: an order's seed is a block hash,
 * which the chain keeps for 256 blocks), the open orders nobody can serve that issue 13 measured. So the set-up, the
 * warm-up and the measured blocks of a stage must fit in about 8 minutes after the first order's window closed. Then, during the measured blocks, the tenant orders one A100 every other block with no region required,
 * three bulk providers bid on it (the provider operators bid where their clusters have room), and the matchmakers
 * match it once its 30-block window closes.
 *
 * <p>Run: {@code mvn -B -ntp verify -pl src/native-test -am -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=MarketAtScaleBenchmark -Dbench.orders=5000 -Dbench.bids=20}; {@code -Dbench.orders=5000,50000} adds a
 * second stage on the same processes; {@code -Dbench.blocks=70} sets the measured blocks of a stage.
 */
class MarketAtScaleBenchmark {
    private static final Duration BLOCK = Duration.ofSeconds(2);
    /** Long enough for a chunk's 20,000 bids to go in while its orders' windows are open. */
    private static final long BID_WINDOW_BLOCKS = 30;
    private static final int FIRST_BULK_PROVIDER = 30;
    private static final int ORDERS_A_CHUNK = 1_000;
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? ([-0-9.eE+]+|NaN)$");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void rpcCallsCpuAndWindowEndToLeaseInAMarketOfOpenOrders() throws Exception {
        int[] stages = Arrays.stream(System.getProperty("bench.orders", "5000").split(","))
                .mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        int bidders = Integer.getInteger("bench.bids", 20);
        int blocks = Integer.getInteger("bench.blocks", 70);
        Path home = E2eSystem.ROOT.resolve("src/native-test/target/e2e/market-at-scale");
        E2eSystem.deleteTree(home);
        LocalSystem local = new LocalSystem(E2eSystem.ROOT, home, E2eSystem.freePort(), 3, 2, LocalSystem.defaultProviders(24000))
                .matchmakerPortOffset(24000)
                .chain(BLOCK, FIRST_BULK_PROVIDER + bidders + 1, c -> c.withBidWindowBlocks(BID_WINDOW_BLOCKS)
                        .withMatchWindowBlocks(255));
        try (local) {
            local.startChain().startClusters();
            ProtocolReader reader = local.reader();
            List<String> bulk = registerBulkProviders(local, bidders);
            // The market's orders come from an account of their own: BulkMarket keeps its senders' nonces, and the
            // tenant's measured orders are signed here, by TenantClient.
            String tenant = LocalChain.devAccount(FIRST_BULK_PROVIDER + bidders).getAddress();
            ProtocolDeployer.mint(local.connection(), LocalChain.devAccount(0), tenant, tokens(100_000));
            DeploymentOrder.OrderSpec unservable = BulkMarket.onChain(new OrderSpec(4000, 16_384, 100_000, 1, "A100", "ap-south",
                    "", true, tokens(10), 3600, manifestHash("nobody serves ap-south")));
            List<App> apps = new ArrayList<>();
            int open = 0;
            try (BulkMarket market = new BulkMarket(local.chain(), local.connection().addresses(), true)) {
                // The apps run from the start, as in a market that grew while they ran: they take its orders in as
                // they come and decide each when its window closes. (Started after the set-up instead, each
                // matchmaker's first pass decided 5,000 closed windows at once: 204 s and 34,000 calls.)
                startApps(local, apps);
                for (int stage : stages) {
                    long setupStart = System.nanoTime();
                    while (open < stage) {
                        int count = Math.min(ORDERS_A_CHUNK, stage - open);
                        List<Long> ids = market.createOrders(tenant, count, unservable, tokens(1));
                        market.bid(bulk, ids, tokens(5));
                        open += count;
                    }
                    long lastId = reader.orderCount();
                    long windowEnd = lastId == 0 ? 0 : reader.requireOrder(lastId).bidWindowEnd();
                    while (reader.blockNumber() <= windowEnd) {
                        Thread.sleep(500);
                    }
                    System.out.printf("%nstage: %d open orders (windows closed, none servable) x %d bids; set up in %.0f s;"
                            + " the last order has %d bids%n", stage, bidders, (System.nanoTime() - setupStart) / 1e9,
                            lastId == 0 ? 0 : reader.bidCount(lastId));
                    warmUp(apps, reader);
                    measure(local, apps, reader, market, bulk, blocks);
                }
            }
        }
    }

    private static List<String> registerBulkProviders(LocalSystem local, int count) {
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            var key = LocalChain.devAccount(FIRST_BULK_PROVIDER + i);
            ProtocolDeployer.mint(local.connection(), LocalChain.devAccount(0), key.getAddress(), tokens(10_000));
            new ProviderClient(local.connection(), key).register(i % 2 == 0 ? "eu-west" : "us-east", i % 3 == 0 ? "a" : "b",
                    "https://bulk-" + i + ".example:8443", List.of(new GpuOffer("A100", 8, 8)),
                    local.protocolConfig().minStake());
            addresses.add(key.getAddress());
        }
        return addresses;
    }

    private static void startApps(LocalSystem local, List<App> apps) {
        List<AppProcess> matchmakers = local.startMatchmakers();
        for (int i = 0; i < matchmakers.size(); i++) {
            apps.add(new App("matchmaker-" + i, local.matchmakerUrl(i) + "/q/metrics", matchmakers.get(i)));
        }
        List<AppProcess> operators = local.startProviders();
        for (int i = 0; i < operators.size(); i++) {
            LocalProvider provider = local.providers().get(i);
            apps.add(new App("operator-" + i, "http://127.0.0.1:" + provider.httpPort() + "/q/metrics", operators.get(i)));
            E2eSystem.await(Duration.ofSeconds(120), "provider " + i + " registers",
                    () -> local.reader().provider(provider.key().getAddress()).filter(Provider::isRegistered).isPresent());
        }
        apps.forEach(app -> System.out.printf("  %s runs as %s (pid %d)%n", app.name(), app.process().form(),
                app.process().pid()));
    }

    /**
     * Until every process has run a pass in each of three blocks in a row (an {@code eth_getLogs} a block) making
     * fewer than 60 calls in it: the first full read and the decisions on every order whose window closed are done.
     */
    private static void warmUp(List<App> apps, ProtocolReader reader) throws InterruptedException {
        long start = System.nanoTime();
        Map<String, Sample> first = samples(apps);
        Map<String, Sample> before = first;
        long block = reader.blockNumber();
        int quiet = 0;
        while (quiet < 3 && System.nanoTime() - start < Duration.ofMinutes(30).toNanos()) {
            awaitBlock(reader, block + 1);
            block = reader.blockNumber();
            Map<String, Sample> now = samples(apps);
            boolean settled = true;
            for (App app : apps) {
                Sample a = before.get(app.name());
                Sample b = now.get(app.name());
                double logs = b.byMethod().getOrDefault("eth_getLogs", 0.0) - a.byMethod().getOrDefault("eth_getLogs", 0.0);
                settled &= logs >= 1 && b.calls() - a.calls() < 60;
            }
            quiet = settled ? quiet + 1 : 0;
            before = now;
        }
        Map<String, Sample> end = before;
        StringBuilder calls = new StringBuilder();
        apps.forEach(app -> calls.append(String.format("%s %.0f, ", app.name(),
                end.get(app.name()).calls() - first.get(app.name()).calls())));
        System.out.printf("  settling (each process decides the orders whose windows closed, until a pass a block of < 60 calls):"
                + " %.0f s; calls: %s%n",
                (System.nanoTime() - start) / 1e9, calls.substring(0, calls.length() - 2));
    }

    private static void measure(LocalSystem local, List<App> apps, ProtocolReader reader,
            BulkMarket market, List<String> bulk, int blocks) throws InterruptedException {
        TenantClient tenant = new TenantClient(local.connection(), local.tenantKey());
        OrderSpec servable = new OrderSpec(4000, 16_384, 100_000, 1, "A100", "eu-west", "", false, tokens(10), 3600,
                manifestHash("a servable A100"));
        Map<String, Sample> start = samples(apps);
        long wallStart = System.nanoTime();
        long firstBlock = reader.blockNumber();
        long lastBlock = firstBlock + blocks;
        List<Long> measured = new ArrayList<>();
        // Orders come while a lease can still follow within the measured blocks: window plus a few blocks.
        long lastOrderBlock = lastBlock - BID_WINDOW_BLOCKS - 6;
        long block = firstBlock;
        while (block < lastBlock) {
            if (block <= lastOrderBlock && (block - firstBlock) % 2 == 0) {
                long id = tenant.createOrder(servable, tokens(20));
                market.bidUnmined(bulk.subList(0, Math.min(3, bulk.size())), List.of(id), tokens(2 + measured.size() % 5));
                measured.add(id);
            }
            awaitBlock(reader, block + 1);
            block = reader.blockNumber();
        }
        Map<String, Sample> end = samples(apps);
        double wall = (System.nanoTime() - wallStart) / 1e9;
        long span = reader.blockNumber() - firstBlock;
        List<ProtocolEvent> events = reader.events(firstBlock + 1, firstBlock + span);
        System.out.printf("  measured %d blocks (%.0f s), %d protocol events = %.1f a block (%d orders, %d bids, %d leases);"
                        + " target 10 + 2 x events = %.0f calls a block%n", span, wall, events.size(),
                events.size() / (double) span, count(events, ProtocolEvent.OrderCreated.class),
                count(events, ProtocolEvent.BidSubmitted.class), count(events, ProtocolEvent.LeaseCreated.class),
                10 + 2 * events.size() / (double) span);
        System.out.println("  | process | form | calls a block (by method) | CPU, % of one core | RSS | heap used | index: open orders, start and end |");
        System.out.println("  |---|---|---|---|---|---|---|");
        for (App app : apps) {
            Sample a = start.get(app.name());
            Sample b = end.get(app.name());
            StringBuilder methods = new StringBuilder();
            new TreeMap<>(b.byMethod()).forEach((method, count) -> {
                double delta = (count - a.byMethod().getOrDefault(method, 0.0)) / span;
                if (delta > 0) {
                    methods.append(String.format("%s %.1f, ", method, delta));
                }
            });
            System.out.printf("  | %s | %s | %.1f (%s) | %.1f%% | %d MiB | %s | %s |%n", app.name(), app.process().form(),
                    (b.calls() - a.calls()) / span, methods.length() == 0 ? "none" : methods.substring(0, methods.length() - 2),
                    100 * (b.cpuSeconds() - a.cpuSeconds()) / wall, b.rssKib() / 1024,
                    Double.isNaN(b.heapBytes()) ? "-" : String.format("%.0f MiB", b.heapBytes() / 1048576),
                    Double.isNaN(b.openOrders()) ? "-" : String.format("%.0f, %.0f", a.openOrders(), b.openOrders()));
        }
        // Window end to lease, for every order made in the measured blocks (waiting a little past them if need be).
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && measured.stream().anyMatch(id -> reader.requireOrder(id).leaseId() == 0)) {
            Thread.sleep(1000);
        }
        List<Long> lag = new ArrayList<>();
        Map<Long, Long> leaseBlock = new LinkedHashMap<>();
        for (ProtocolEvent e : reader.events(firstBlock, reader.blockNumber())) {
            if (e instanceof ProtocolEvent.LeaseCreated created) {
                leaseBlock.put(created.orderId(), created.blockNumber());
            }
        }
        int unmatched = 0;
        for (long id : measured) {
            Long at = leaseBlock.get(id);
            if (at == null) {
                unmatched++;
            } else {
                lag.add(at - reader.requireOrder(id).bidWindowEnd());
            }
        }
        lag.sort(null);
        System.out.printf("  window end to lease: %d orders, %d leased, in blocks after the window's last block:"
                        + " min %s, median %s, max %s (all: %s)%s%n", measured.size(), lag.size(),
                lag.isEmpty() ? "-" : lag.get(0), lag.isEmpty() ? "-" : lag.get(lag.size() / 2),
                lag.isEmpty() ? "-" : lag.get(lag.size() - 1), lag, unmatched == 0 ? "" : "; " + unmatched + " not leased");
    }

    private static long count(List<ProtocolEvent> events, Class<?> type) {
        return events.stream().filter(type::isInstance).count();
    }

    private static void awaitBlock(ProtocolReader reader, long block) throws InterruptedException {
        while (reader.blockNumber() < block) {
            Thread.sleep(200);
        }
    }

    /** One process of the system and where its metrics are. */
    private record App(String name, String metricsUrl, AppProcess process) {
    }

    /** One process's counters at one moment. */
    private record Sample(double calls, Map<String, Double> byMethod, double cpuSeconds, long rssKib, double heapBytes,
            double openOrders) {
    }

    private static Map<String, Sample> samples(List<App> apps) {
        Map<String, Sample> out = new LinkedHashMap<>();
        apps.forEach(app -> out.put(app.name(), sample(app.metricsUrl(), app.process().pid())));
        return out;
    }

    private static Sample sample(String metricsUrl, long pid) {
        Map<String, Double> byMethod = new TreeMap<>();
        double calls = 0;
        double heap = Double.NaN;
        double open = Double.NaN;
        for (String line : metrics(metricsUrl).lines().toList()) {
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String name = m.group(1);
            String labels = m.group(2) == null ? "" : m.group(2);
            double value = Double.parseDouble(m.group(3));
            if (name.equals("spheron_chain_rpc_requests_total")) {
                Matcher method = Pattern.compile("method=\"([^\"]*)\"").matcher(labels);
                byMethod.merge(method.find() ? method.group(1) : "?", value, Double::sum);
                calls += value;
            } else if (name.equals("jvm_memory_used_bytes") && labels.contains("area=\"heap\"")) {
                heap = (Double.isNaN(heap) ? 0 : heap) + value;
            } else if (name.equals("spheron_chain_index_open_orders")) {
                open = value;
            }
        }
        return new Sample(calls, byMethod, cpuSeconds(pid), rssKib(pid), heap, open);
    }

    private static String metrics(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** utime + stime of the process and its reaped children, from /proc/PID/stat, at the usual 100 ticks a second. */
    private static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // Fields after the command: state is index 0, utime 11, stime 12.
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long rssKib(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(0L);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
