package org.openspheron.matchmaker.bench;

import static org.openspheron.chain.ProtocolFixture.gpuOrder;
import static org.openspheron.chain.ProtocolFixture.tokens;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.LocalChain;
import org.openspheron.chain.ProtocolConfig;
import org.openspheron.chain.ProtocolFixture;
import org.openspheron.chain.bench.BulkMarket;
import org.openspheron.contracts.generated.DeploymentOrder;
import org.openspheron.devnet.AppProcess;
import org.openspheron.devnet.LocalConfig;
import org.openspheron.devnet.LocalProvider;
import org.openspheron.devnet.LocalSystem;
import org.openspheron.devnet.MatchmakerKeys;

/**
 * The native executables against the JVM jars, side by side, as their users start them (run
 * {@code bin/spheron-native build matchmaker} and {@code build cli} first, and package the jars):
 * <ul>
 * <li>the matchmaker against a live anvil with the protocol: time from exec to {@code /q/health/ready}, resident
 * memory once ready, and again once its protocol index holds 1,000 open orders;</li>
 * <li>the provider operator against a real control plane and a live anvil: the same, with 1,000 open orders it
 * cannot serve;</li>
 * <li>the CLI: {@code validate} of a manifest, wall time and peak resident memory of the whole command;</li>
 * <li>each binary's size.</li>
 * </ul>
 * Prints the figures; asserts nothing about them. A form that was not built is reported as such.
 */
@Tag("benchmark")
class NativeStartupBenchmark {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final int ORDERS = Integer.getInteger("bench.orders", 1_000);
    private static final int RUNS = 5;
    /** Run-time options for the native matchmaker ({@code -Dbench.native.args="-Xmn16m"}), e.g. to try heap sizes. */
    private static final String[] NATIVE_ARGS = java.util.Arrays.stream(System.getProperty("bench.native.args", "")
            .split(" ")).filter(a -> !a.isBlank()).toArray(String[]::new);
    /** Ports of the benchmark's provider, away from a local run's. */
    private static final int OPERATOR_PORT_OFFSET = 700;

    @Test
    void matchmakerNativeAgainstJvm() throws Exception {
        Path runner = AppProcess.nativeRunner(ROOT.resolve("matchmaker/target"));
        System.out.printf("JVM form on %s %s%n", System.getProperty("java.vm.name"), System.getProperty("java.version"));
        System.out.printf("matchmaker: native executable %s%n", runner == null ? "not built (bin/spheron-native build matchmaker)"
                : ROOT.relativize(runner) + ", " + Files.size(runner) / (1 << 20) + " MiB");
        if (runner != null) {
            measureMatchmaker(true);
        }
        measureMatchmaker(false);
    }

    @Test
    void cliValidateNativeAgainstJvm() throws Exception {
        Path manifest = ROOT.resolve("examples/jupyter-rtx4090.yaml");
        Path runner = AppProcess.nativeRunner(ROOT.resolve("cli/target"));
        Path jar = ROOT.resolve("cli/target/quarkus-app/quarkus-run.jar");
        if (runner != null) {
            System.out.printf("cli: native executable %s, %d MiB%n", ROOT.relativize(runner), Files.size(runner) / (1 << 20));
            timeCommand("cli validate, native", List.of(runner.toString(), "validate", manifest.toString()));
        } else {
            System.out.println("cli: native executable not built (bin/spheron-native build cli)");
        }
        timeCommand("cli validate, JVM jar", List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "validate", manifest.toString()));
    }

    /**
     * The provider operator against a real control plane ({@code bin/spheron-k8s}, one provider's hollow GPU nodes,
     * the CRDs and the operator's ServiceAccount token, as the local run has it) and a live anvil: each form starts
     * on the empty market, then again once 1,000 ({@code bench.orders}) orders it cannot serve are open (it reads them
     * and declines them). Ready means what the probe says: the chain answered and the node and pod watches listed.
     */
    @Test
    void operatorNativeAgainstJvm() throws Exception {
        Path runner = AppProcess.nativeRunner(ROOT.resolve("provider-operator/target"));
        System.out.printf("provider operator: native executable %s%n", runner == null
                ? "not built (bin/spheron-native build provider-operator)"
                : ROOT.relativize(runner) + ", " + Files.size(runner) / (1 << 20) + " MiB");
        List<Boolean> forms = runner == null ? List.of(false) : List.of(true, false);
        Path home = Files.createTempDirectory("native-bench-operator");
        LocalProvider provider = LocalSystem.defaultProviders(OPERATOR_PORT_OFFSET).get(0);
        try (LocalSystem system = new LocalSystem(ROOT, home, freePort(), 1, 1, List.of(provider))) {
            system.startChain().startClusters();
            for (boolean nativeForm : forms) {
                measureOperator(system, provider, nativeForm, 0);
            }
            try (BulkMarket market = new BulkMarket(system.chain(), system.connection().addresses())) {
                // An H100 in eu-west: provider 0 has A100s and RTX 4090s in us-east, so it bids on none of them.
                DeploymentOrder.OrderSpec spec = BulkMarket.onChain(gpuOrder(1, "H100", "eu-west", tokens(10)));
                market.createOrders(system.tenantKey().getAddress(), ORDERS, spec, tokens(1));
            }
            for (boolean nativeForm : forms) {
                measureOperator(system, provider, nativeForm, ORDERS);
            }
        }
    }

    private static void measureOperator(LocalSystem system, LocalProvider provider, boolean nativeForm, int orders)
            throws Exception {
        String base = "http://127.0.0.1:" + provider.httpPort();
        AppProcess app = system.providerProcess(provider, nativeForm);
        long start = System.nanoTime();
        app.start();
        try {
            double readySeconds = awaitReady(base + "/q/health/ready", start);
            long rssReady = rssKb(app.pid());
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (orders > 0 && openOrders(base) < orders && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            double indexedSeconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("operator, %-6s, %4d open orders: ready in %.3f s, RSS %d MiB once ready; %d orders indexed"
                    + " %.2f s after exec, RSS %d MiB (peak %d MiB); log %s%n", nativeForm ? "native" : "JVM", orders,
                    readySeconds, rssReady / 1024, openOrders(base), indexedSeconds, rssKb(app.pid()) / 1024,
                    peakRssKb(app.pid()) / 1024, app.log());
        } finally {
            app.stop();
        }
    }

    /** A fresh chain each time, so both forms start against the same empty market and read the same orders. */
    private static void measureMatchmaker(boolean nativeForm) throws Exception {
        LocalChain chain = LocalChain.builder().build().start();
        List<String> operators = List.of(LocalChain.devAccount(1).getAddress(), LocalChain.devAccount(2).getAddress(),
                LocalChain.devAccount(3).getAddress());
        Path home = Files.createTempDirectory("native-bench");
        try (ProtocolFixture fixture = ProtocolFixture.start(
                ProtocolConfig.local(operators, 2).withBidWindowBlocks(1_000_000), chain);
                BulkMarket market = new BulkMarket(chain, fixture.addresses())) {
            fixture.addresses().write(home.resolve("addresses.properties"));
            MatchmakerKeys.ensure(home, 1);
            int port = freePort();
            Map<String, String> config = LocalConfig.matchmaker(chain.rpcUrl(), home, 0, port, "");
            String form = nativeForm ? "native" : "JVM";
            AppProcess app = nativeForm
                    ? AppProcess.of(ROOT, "matchmaker", "matchmaker-" + form, config, home, NATIVE_ARGS)
                    : AppProcess.onJvm(ROOT, "matchmaker", "matchmaker-" + form, config, home);
            String base = "http://127.0.0.1:" + port;
            long start = System.nanoTime();
            app.start();
            try {
                double readySeconds = awaitReady(base + "/q/health/ready", start);
                long rssReady = rssKb(app.pid());
                String tenant = fixture.tenantKey(10).getAddress();
                DeploymentOrder.OrderSpec spec = BulkMarket.onChain(gpuOrder(1, "H100", "eu-west", tokens(10)));
                market.createOrders(tenant, ORDERS, spec, tokens(1));
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
                while (openOrders(base) < ORDERS && System.nanoTime() < deadline) {
                    Thread.sleep(250);
                }
                long held = openOrders(base);
                long rssOrders = rssKb(app.pid());
                System.out.printf("matchmaker, %-6s%s: ready in %.3f s, RSS %d MiB once ready; %d open orders indexed, RSS %d MiB"
                        + " (peak %d MiB); log %s%n", form, nativeForm && NATIVE_ARGS.length > 0
                                ? " " + String.join(" ", NATIVE_ARGS) : "", readySeconds, rssReady / 1024, held, rssOrders / 1024,
                        peakRssKb(app.pid()) / 1024, app.log());
            } finally {
                app.stop();
            }
        }
    }

    /** Seconds from {@code start} to the first 200 of {@code url}, polled every 5 ms (AppProcess waits 250 ms). */
    private static double awaitReady(String url, long start) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build();
        long deadline = start + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return (System.nanoTime() - start) / 1e9;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException(url + " not ready within 2 minutes");
    }

    private static void timeCommand(String what, List<String> command) throws Exception {
        boolean gnuTime = isGnuTime();
        List<Double> seconds = new ArrayList<>();
        List<Long> peaks = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            List<String> full = new ArrayList<>();
            Path timeOut = Files.createTempFile("time", ".txt");
            if (gnuTime) {
                full.addAll(List.of("/usr/bin/time", "-o", timeOut.toString(), "-f", "%M"));
            }
            full.addAll(command);
            try {
                long start = System.nanoTime();
                Process process = new ProcessBuilder(full).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                int exit = process.waitFor();
                seconds.add((System.nanoTime() - start) / 1e9);
                if (exit != 0) {
                    throw new IllegalStateException(what + " exited " + exit + ": " + String.join(" ", full));
                }
                if (gnuTime) {
                    peaks.add(Long.parseLong(Files.readString(timeOut).trim()));
                }
            } finally {
                Files.deleteIfExists(timeOut);
            }
        }
        seconds.sort(null);
        System.out.printf("%s: median %.3f s of %d runs (min %.3f, max %.3f)%s%n", what, seconds.get(RUNS / 2), RUNS,
                seconds.get(0), seconds.get(RUNS - 1), peaks.isEmpty() ? ", peak RSS not measured (no /usr/bin/time)"
                        : ", peak RSS " + peaks.stream().mapToLong(Long::longValue).max().orElse(0) / 1024 + " MiB");
    }

    /** GNU time writes the peak RSS with {@code -f %M} (BusyBox's and the shell's keyword do not). */
    private static boolean isGnuTime() {
        try {
            Process process = new ProcessBuilder("/usr/bin/time", "--version").redirectErrorStream(true).start();
            String text = new String(process.getInputStream().readAllBytes());
            return process.waitFor() == 0 && text.contains("GNU");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static long openOrders(String base) throws IOException, InterruptedException {
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/q/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        Matcher m = Pattern.compile("(?m)^spheron_chain_index_open_orders(?:\\{[^}]*})? ([0-9.eE+]+)$").matcher(metrics.body());
        return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
    }

    private static long rssKb(long pid) throws IOException {
        return statusField(pid, "VmRSS");
    }

    private static long peakRssKb(long pid) throws IOException {
        return statusField(pid, "VmHWM");
    }

    private static long statusField(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no " + field + " for process " + pid);
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
