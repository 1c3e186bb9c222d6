package org.openspheron.operator.deployment;

import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.openspheron.operator.Manifests.deployment;
import static org.openspheron.operator.Manifests.service;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.openspheron.devnet.DevCluster;
import org.openspheron.devnet.GpuNode;
import org.openspheron.operator.OperatorFixture;

/**
 * How long N GPUDeployments take from create to status written, and what the operator process costs in memory.
 * The packaged application (target/quarkus-app/quarkus-run.jar) runs as its own JVM against a DevCluster in this
 * one, so its heap and RSS are the operator's alone. Prints figures; asserts nothing about speed.
 *
 * <pre>
 * mvn -B -ntp -pl provider-operator -am verify -DskipTests
 * mvn -B -ntp -pl provider-operator -am verify -Dtest=DeploymentThroughputBenchmark \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dspheron.benchmark.deployments=500
 * </pre>
 * Skipped unless {@code spheron.benchmark.deployments} is set. "Running" also waits for DevCluster's simulated
 * scheduler and kubelet, a polling loop that lists the whole cluster, so that figure is an upper bound.
 */
class DeploymentThroughputBenchmark {
    private static final int NAMESPACES = 50;

    @Test
    void createDeploymentsAndReportTimesAndMemory() throws Exception {
        String wanted = System.getProperty("spheron.benchmark.deployments");
        assumeTrue(wanted != null, "set -Dspheron.benchmark.deployments=500 to run the benchmark");
        int count = Integer.parseInt(wanted);
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        assumeTrue(Files.isRegularFile(jar), jar + " is missing: run mvn -pl provider-operator -am verify -DskipTests first");

        List<GpuNode> nodes = IntStream.range(0, (count + 7) / 8)
                .mapToObj(i -> new GpuNode("a100-" + i, "NVIDIA-A100-SXM4-80GB", 8, 128, 1024, "eu-west-1a")).toList();
        try (DevCluster cluster = DevCluster.start(0, nodes, "127.0.0.1")) {
            cluster.applyDirectory(OperatorFixture.generatedCrds());
            KubernetesClient client = cluster.client();
            int httpPort = freePort();
            Path log = Files.createTempFile("operator-benchmark", ".log");
            Process operator = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m", "-Dquarkus.kubernetes-client.api-server-url=" + cluster.url(),
                    "-Dquarkus.http.port=" + httpPort, "-Dquarkus.log.level=WARN", "-jar", jar.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                awaitHealthy(httpPort, operator, log);
                long idleRss = rssKb(operator.pid());
                run(client, count, operator.pid(), idleRss);
            } finally {
                operator.destroy();
                operator.waitFor(20, TimeUnit.SECONDS);
                operator.destroyForcibly();
            }
        }
    }

    private static void run(KubernetesClient client, int count, long pid, long idleRss) throws Exception {
        Map<String, Long> created = new ConcurrentHashMap<>();
        Map<String, Long> statusWritten = new ConcurrentHashMap<>();
        Map<String, Long> running = new ConcurrentHashMap<>();
        SharedIndexInformer<GPUDeployment> watch = client.resources(GPUDeployment.class).inAnyNamespace()
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(GPUDeployment d) {
                        record(d);
                    }

                    @Override
                    public void onUpdate(GPUDeployment old, GPUDeployment d) {
                        record(d);
                    }

                    @Override
                    public void onDelete(GPUDeployment d, boolean unknown) {
                    }

                    private void record(GPUDeployment d) {
                        String key = d.getMetadata().getNamespace() + "/" + d.getMetadata().getName();
                        long now = System.nanoTime();
                        if (d.getStatus() != null && d.getStatus().getPhase() != null) {
                            statusWritten.putIfAbsent(key, now);
                            if (d.getStatus().getPhase() == GPUDeploymentStatus.Phase.Running) {
                                running.putIfAbsent(key, now);
                            }
                        }
                    }
                });
        for (int n = 0; n < NAMESPACES; n++) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("bench-" + n).endMetadata().build()).create();
        }
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            String ns = "bench-" + (i % NAMESPACES);
            String name = "job-" + i;
            created.put(ns + "/" + name, System.nanoTime());
            // Service names are unique per namespace, as in a lease namespace holding one GPUDeployment.
            client.resource(deployment(ns, name, null, service("svc-" + i, "ghcr.io/acme/infer:1", 1, "A100", 8000))).create();
        }
        long createdAll = System.nanoTime();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (running.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        long end = System.nanoTime();
        watch.close();

        System.out.printf("%n=== %d GPUDeployments against DevCluster (operator = packaged jar, own JVM, -Xmx512m) ===%n", count);
        System.out.printf("creating all objects took           %6.1f s%n", seconds(createdAll - start));
        System.out.printf("status written for all (any phase)  %6.1f s after the first create   (%d/%d)%n",
                seconds(max(statusWritten) - start), statusWritten.size(), count);
        System.out.printf("create -> status written, per object p50 %6.2f s  p95 %6.2f s  max %6.2f s%n",
                percentile(latencies(created, statusWritten), 50), percentile(latencies(created, statusWritten), 95),
                percentile(latencies(created, statusWritten), 100));
        System.out.printf("all Running (pods ready, ports known)%6.1f s after the first create   (%d/%d)%n",
                seconds((running.size() == count ? max(running) : end) - start), running.size(), count);
        System.out.printf("create -> Running, per object    p50 %6.2f s  p95 %6.2f s  max %6.2f s%n",
                percentile(latencies(created, running), 50), percentile(latencies(created, running), 95),
                percentile(latencies(created, running), 100));
        System.out.printf("operator RSS idle %d MiB, after %d deployments %d MiB%n", idleRss / 1024, count, rssKb(pid) / 1024);
        System.out.printf("operator heap used after a full GC: %s%n", heapAfterGc(pid));
    }

    private static List<Double> latencies(Map<String, Long> from, Map<String, Long> to) {
        List<Double> values = new ArrayList<>();
        to.forEach((k, t) -> values.add(seconds(t - from.get(k))));
        Collections.sort(values);
        return values;
    }

    private static double percentile(List<Double> sorted, int p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1 < 0 ? 0
                : (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static long max(Map<String, Long> times) {
        return times.values().stream().mapToLong(Long::longValue).max().orElse(System.nanoTime());
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    /** VmRSS of a process, from /proc (Linux). */
    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** Forces a full GC in the operator JVM with jcmd and reads what the heap still holds. */
    private static String heapAfterGc(long pid) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        exec(jcmd.toString(), Long.toString(pid), "GC.run");
        String info = exec(jcmd.toString(), Long.toString(pid), "GC.heap_info");
        return info.lines().filter(l -> l.contains("used")).findFirst().map(String::trim).orElse(info.trim());
    }

    private static String exec(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    private static void awaitHealthy(int port, Process operator, Path log) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!operator.isAlive()) {
                throw new IllegalStateException("operator exited: " + Files.readString(log));
            }
            try {
                var response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("operator not ready within 60 s; log: " + Files.readString(log));
    }

    private static int freePort() throws IOException {
        try (var socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
