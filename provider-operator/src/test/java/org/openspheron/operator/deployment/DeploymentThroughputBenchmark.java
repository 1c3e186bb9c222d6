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
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.openspheron.devnet.DevCluster;
import org.openspheron.devnet.GpuNode;
import org.openspheron.operator.OperatorFixture;

/**
 * N GPUDeployments on the real control plane with M hollow GPU nodes: time from create to Running, the operator's API
 * requests by verb (from the API server's audit log, which names the operator's ServiceAccount), all clients' requests
 * from the API server's own metrics, the operator's CPU and RSS, then the same with the operator idle (a steady state
 * must write nothing). The packaged application runs as its own JVM with its ServiceAccount token and the ClusterRole
 * from k8s/, as in a cluster, with its chain duties and gateway off (reconcilers only). Prints figures; asserts
 * nothing about speed.
 *
 * <pre>
 * mvn -B -ntp -pl provider-operator -am install -DskipTests
 * mvn -B -ntp -pl provider-operator verify -Dtest=DeploymentThroughputBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dspheron.benchmark.deployments=500 -Dspheron.benchmark.nodes=50 -Dspheron.benchmark.idle-seconds=300
 * </pre>
 * Skipped unless {@code spheron.benchmark.deployments} is set.
 */
class DeploymentThroughputBenchmark {
    private static final int NAMESPACES = 50;
    private static final String OPERATOR = "system:serviceaccount:spheron-system:spheron-provider-operator";
    private static final Set<String> WRITES = Set.of("create", "update", "patch", "delete", "deletecollection");

    @Test
    void createDeploymentsAndReportTimesRequestsAndResources() throws Exception {
        String wanted = System.getProperty("spheron.benchmark.deployments");
        assumeTrue(wanted != null, "set -Dspheron.benchmark.deployments=500 to run the benchmark");
        int count = Integer.parseInt(wanted);
        int nodeCount = Integer.getInteger("spheron.benchmark.nodes", 50);
        int idleSeconds = Integer.getInteger("spheron.benchmark.idle-seconds", 300);
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        assumeTrue(Files.isRegularFile(jar), jar + " is missing: run mvn -pl provider-operator -am install -DskipTests first");

        int gpusPerNode = (count + nodeCount - 1) / nodeCount;
        List<GpuNode> nodes = IntStream.range(0, nodeCount)
                .mapToObj(i -> new GpuNode("a100-" + i, "NVIDIA-A100-SXM4-80GB", gpusPerNode, 256, 2048, "eu-west-1a")).toList();
        long clusterStart = System.nanoTime();
        try (DevCluster cluster = DevCluster.start(nodes)) {
            System.out.printf("%ncluster with %d hollow nodes up in %.1f s%n", nodeCount, seconds(System.nanoTime() - clusterStart));
            cluster.applyDirectory(OperatorFixture.generatedCrds());
            Path install = Path.of("..", "k8s", "provider-operator");
            for (String file : List.of("00-namespace.yaml", "10-serviceaccount.yaml", "20-rbac.yaml")) {
                cluster.applyFile(install.resolve(file));
            }
            String token = cluster.serviceAccountToken("spheron-system", "spheron-provider-operator");
            KubernetesClient client = cluster.client();
            int httpPort = freePort();
            Path log = Files.createTempFile("operator-benchmark", ".log");
            Process operator = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m", "-Dquarkus.kubernetes-client.api-server-url=" + cluster.url(),
                    "-Dquarkus.kubernetes-client.ca-cert-data=" + cluster.caCertData(),
                    "-Dquarkus.kubernetes-client.token=" + token,
                    "-Dspheron.provider.enabled=false", "-Dspheron.gateway.enabled=false",
                    "-Dquarkus.http.port=" + httpPort, "-Dquarkus.log.level=WARN", "-jar", jar.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                awaitHealthy(httpPort, operator, log);
                run(cluster, client, count, operator.pid(), idleSeconds);
            } finally {
                operator.destroy();
                operator.waitFor(20, TimeUnit.SECONDS);
                operator.destroyForcibly();
            }
        }
    }

    private static void run(DevCluster cluster, KubernetesClient client, int count, long pid, int idleSeconds) throws Exception {
        long idleRss = rssKb(pid);
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
        Map<String, Double> metricsBefore = apiServerRequests(client);
        long cpuBefore = cpuTicks(pid);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            String ns = "bench-" + (i % NAMESPACES);
            String name = "job-" + i;
            created.put(ns + "/" + name, System.nanoTime());
            // Service names are unique per namespace, as in a lease namespace holding one GPUDeployment.
            client.resource(deployment(ns, name, null, service("svc-" + i, "ghcr.io/acme/infer:1", 1, "A100", 8000))).create();
        }
        long createdAll = System.nanoTime();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
        while (running.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        long end = System.nanoTime();
        long cpuBusy = cpuTicks(pid) - cpuBefore;
        long busyRss = rssKb(pid);
        Thread.sleep(3_000); // the audit log is written a moment after each request completes
        Map<String, Long> busyRequests = operatorRequestsByVerb(cluster);
        Map<String, Double> metricsBusy = apiServerRequests(client);

        long idleCpuBefore = cpuTicks(pid);
        long idleStart = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(idleSeconds));
        long idleCpu = cpuTicks(pid) - idleCpuBefore;
        double idleWall = seconds(System.nanoTime() - idleStart);
        Thread.sleep(3_000);
        Map<String, Long> afterIdle = operatorRequestsByVerb(cluster);
        watch.close();

        System.out.printf("%n=== %d GPUDeployments on kube-apiserver v1.20.2 with %d hollow GPU nodes (operator = packaged jar, "
                + "own JVM, -Xmx512m, its ServiceAccount and ClusterRole from k8s/) ===%n", count, client.nodes().list().getItems().size());
        System.out.printf("creating all objects took            %6.1f s%n", seconds(createdAll - start));
        System.out.printf("status written for all (any phase)   %6.1f s after the first create   (%d/%d)%n",
                seconds(max(statusWritten) - start), statusWritten.size(), count);
        System.out.printf("all Running (pods Ready, ports known) %6.1f s after the first create   (%d/%d)%n",
                seconds((running.size() == count ? max(running) : end) - start), running.size(), count);
        System.out.printf("create -> Running, per object     p50 %6.2f s  p95 %6.2f s  max %6.2f s%n",
                percentile(latencies(created, running), 50), percentile(latencies(created, running), 95),
                percentile(latencies(created, running), 100));
        long writes = busyRequests.entrySet().stream().filter(e -> WRITES.contains(e.getKey().split(" ")[0]))
                .mapToLong(Map.Entry::getValue).sum();
        System.out.printf("operator API requests during the run (audit log), by verb and resource: %s%n", busyRequests);
        System.out.printf("operator writes per GPUDeployment lifecycle (create to Running): %.2f%n", (double) writes / count);
        System.out.printf("all clients' requests during the run (apiserver_request_total), by verb: %s%n",
                delta(metricsBefore, metricsBusy));
        System.out.printf("operator CPU during the run: %.1f s (%.0f%% of one core over %.1f s)%n", ticks(cpuBusy),
                100 * ticks(cpuBusy) / seconds(end - start), seconds(end - start));
        System.out.printf("operator RSS idle %d MiB, with %d deployments %d MiB; heap after a full GC: %s%n",
                idleRss / 1024, count, busyRss / 1024, heapAfterGc(pid));
        Map<String, Long> idleRequests = new TreeMap<>();
        afterIdle.forEach((k, v) -> {
            long d = v - busyRequests.getOrDefault(k, 0L);
            if (d > 0) {
                idleRequests.put(k, d);
            }
        });
        long idleWrites = idleRequests.entrySet().stream().filter(e -> WRITES.contains(e.getKey().split(" ")[0]))
                .mapToLong(Map.Entry::getValue).sum();
        System.out.printf("idle %.0f s afterwards: operator requests %s; writes per minute %.2f; CPU %.1f%% of one core%n",
                idleWall, idleRequests, idleWrites * 60.0 / idleWall, 100 * ticks(idleCpu) / idleWall);
    }

    /** The operator's requests so far, counted by "verb resource" (watches count once per watch opened). */
    private static Map<String, Long> operatorRequestsByVerb(DevCluster cluster) {
        return cluster.requestsBy(OPERATOR).stream().collect(Collectors.groupingBy(
                r -> r.verb() + " " + r.rbacResource(), TreeMap::new, Collectors.counting()));
    }

    /** apiserver_request_total summed by verb, from the API server's /metrics. */
    private static Map<String, Double> apiServerRequests(KubernetesClient client) {
        Map<String, Double> byVerb = new TreeMap<>();
        String metrics = client.raw(client.getMasterUrl().toString().replaceAll("/$", "") + "/metrics");
        if (metrics == null) {
            return byVerb;
        }
        for (String line : metrics.lines().filter(l -> l.startsWith("apiserver_request_total{")).toList()) {
            String verb = line.replaceAll(".*verb=\"([A-Z]+)\".*", "$1");
            double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            byVerb.merge(verb, value, Double::sum);
        }
        return byVerb;
    }

    private static Map<String, Long> delta(Map<String, Double> before, Map<String, Double> after) {
        Map<String, Long> delta = new TreeMap<>();
        after.forEach((k, v) -> {
            long d = Math.round(v - before.getOrDefault(k, 0.0));
            if (d > 0) {
                delta.put(k, d);
            }
        });
        return delta;
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
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static long max(Map<String, Long> times) {
        return times.values().stream().mapToLong(Long::longValue).max().orElse(System.nanoTime());
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    /** Clock ticks are 1/100 s on Linux. */
    private static double ticks(long ticks) {
        return ticks / 100.0;
    }

    /** utime + stime of a process, in clock ticks, from /proc (Linux). */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
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
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
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
        throw new IllegalStateException("operator not ready within 120 s; log: " + Files.readString(log));
    }

    private static int freePort() throws IOException {
        try (var socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
