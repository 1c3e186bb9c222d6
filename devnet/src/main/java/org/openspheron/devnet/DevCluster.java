package org.openspheron.devnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real Kubernetes control plane on this machine: etcd, kube-apiserver, kube-controller-manager, kube-scheduler
 * and kubemark hollow nodes (the real kubelet with a fake container runtime), started by {@code bin/spheron-k8s}
 * from binaries built from Debian's source package. RBAC, admission (ResourceQuota included), service-account
 * tokens, schema validation, server-side apply, garbage collection and scheduling are the real ones; containers
 * are not (they "run" on the hollow kubelet, which writes their start lines as container logs).
 *
 * <p>State, logs ({@code logs/}), the audit log and the kubeconfig live in one directory: {@link #start(Path, List)}
 * on a directory that already holds a cluster restarts it with its objects. The processes stop with {@link #close()}
 * and, should this JVM die first, with it.
 */
public final class DevCluster implements AutoCloseable {
    public static final String GPU_RESOURCE = "nvidia.com/gpu";
    public static final String GPU_PRODUCT_LABEL = "nvidia.com/gpu.product";

    private final Path dir;
    private final Path script;
    private final Path kubeconfig;
    private final KubernetesClient client;
    private final String url;
    private boolean running = true;

    /** One request a client made, as the API server's authorizer saw it (from the audit log). */
    public record ApiRequest(String user, String verb, String apiGroup, String resource, String subresource,
                             String namespace, String name, int code) {
        /** {@code resource} or {@code resource/subresource}, as RBAC rules name it. */
        public String rbacResource() {
            return subresource.isEmpty() ? resource : resource + "/" + subresource;
        }
    }

    private DevCluster(Path dir, Path script, Path kubeconfig) {
        this.dir = dir;
        this.script = script;
        this.kubeconfig = kubeconfig;
        this.client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(read(kubeconfig))).build();
        this.url = client.getConfiguration().getMasterUrl().replaceAll("/$", "");
    }

    /**
     * A cluster this machine does not run (kind, k3d, minikube, a provider's own), reached with {@code kubeconfig}
     * as its current context gives it: nothing is started or stopped, and there is no audit log to read.
     */
    public static DevCluster existing(Path kubeconfig) {
        if (!Files.isRegularFile(kubeconfig)) {
            throw new IllegalArgumentException("no kubeconfig at " + kubeconfig);
        }
        DevCluster cluster = new DevCluster(kubeconfig.toAbsolutePath().getParent(), null, kubeconfig);
        cluster.running = false;
        return cluster;
    }

    /** Starts a cluster in a new directory under {@code target/k8s} (tests) with the given nodes. */
    public static DevCluster start(List<GpuNode> nodes) {
        try {
            Path parent = Path.of("target", "k8s").toAbsolutePath();
            Files.createDirectories(parent);
            return start(Files.createTempDirectory(parent, "cluster-"), nodes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts (or restarts, keeping its objects) the cluster in {@code dir}. Builds the binaries first if this
     * machine has none cached (the first time: minutes, with progress on standard error).
     */
    public static DevCluster start(Path dir, List<GpuNode> nodes) {
        Path script = script();
        run(script, List.of("build"));
        List<String> args = new ArrayList<>(List.of("up", dir.toString()));
        if (!Files.isDirectory(dir.resolve("nodes")) || isEmpty(dir.resolve("nodes"))) {
            nodes.forEach(n -> args.add(n.spec()));
        }
        run(script, args);
        return new DevCluster(dir, script, dir.resolve("kubeconfig"));
    }

    /** {@code bin/spheron-k8s} of this checkout: from {@code spheron.root}, else the first parent that has it. */
    static Path script() {
        String root = System.getProperty("spheron.root");
        List<Path> candidates = new ArrayList<>();
        if (root != null && !root.isBlank()) {
            candidates.add(Path.of(root));
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            candidates.add(p);
        }
        for (Path candidate : candidates) {
            Path script = candidate.resolve("bin").resolve("spheron-k8s");
            if (Files.isExecutable(script)) {
                return script;
            }
        }
        throw new IllegalStateException("bin/spheron-k8s not found above " + Path.of("").toAbsolutePath()
                + " (set -Dspheron.root to the repository)");
    }

    /** Runs the launcher, its progress on standard error as it goes; fails with its last lines when it fails. */
    private static String run(Path script, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(script.toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(false);
        builder.environment().put("SPHERON_K8S_OWNER_PID", Long.toString(ProcessHandle.current().pid()));
        try {
            Process process = builder.start();
            List<String> errors = new ArrayList<>();
            Thread pump = new Thread(() -> {
                try (BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = err.readLine()) != null; ) {
                        System.err.println(line);
                        synchronized (errors) {
                            errors.add(line);
                            if (errors.size() > 30) {
                                errors.remove(0);
                            }
                        }
                    }
                } catch (IOException ignored) {
                    // the process is gone; its exit code says what happened
                }
            }, "spheron-k8s-stderr");
            pump.setDaemon(true);
            pump.start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int code = process.waitFor();
            pump.join(2_000);
            if (code != 0) {
                synchronized (errors) {
                    throw new IllegalStateException("bin/spheron-k8s " + String.join(" ", args) + " failed (exit " + code
                            + "):\n" + String.join("\n", errors));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running bin/spheron-k8s", e);
        }
    }

    /** A client with cluster-admin rights (the kubeconfig's user is in system:masters). */
    public KubernetesClient client() {
        return client;
    }

    /** The API server, {@code https://127.0.0.1:PORT}. */
    public String url() {
        return url;
    }

    /** The directory that holds the cluster's state, logs and kubeconfig. */
    public Path dir() {
        return dir;
    }

    /** The admin kubeconfig (for kubectl, helm and apps that read a kubeconfig). */
    public Path kubeconfig() {
        return kubeconfig;
    }

    /** Whether bin/spheron-k8s runs this cluster (false for {@link #existing} ones). */
    public boolean managed() {
        return script != null;
    }

    private Path launcher() {
        if (script == null) {
            throw new UnsupportedOperationException("the cluster at " + url + " is not run by bin/spheron-k8s");
        }
        return script;
    }

    /** The kubectl this cluster's version came with (Kubernetes 1.20.2, built beside the servers). */
    public Path kubectl() {
        String env = run(launcher(), List.of("env"));
        return env.lines().filter(l -> l.startsWith("SPHERON_K8S_BIN=")).findFirst()
                .map(l -> Path.of(l.substring("SPHERON_K8S_BIN=".length()), "kubectl"))
                .orElseThrow(() -> new IllegalStateException("bin/spheron-k8s env named no binaries"));
    }

    /** What a kubectl command printed (standard output and error together) and its exit code. */
    public record KubectlResult(String command, int exit, String output) {
        /** This result, after checking that kubectl succeeded (its output in the exception otherwise). */
        public KubectlResult ok() {
            if (exit != 0) {
                throw new IllegalStateException("kubectl " + command + " failed (exit " + exit + "):\n" + output);
            }
            return this;
        }
    }

    /**
     * Runs {@link #kubectl()} as a provider would against this cluster: its admin kubeconfig, and its discovery cache
     * in the cluster's directory rather than the user's home. Waits up to 60 seconds.
     */
    public KubectlResult runKubectl(String... args) {
        List<String> command = new ArrayList<>(List.of(kubectl().toString(), "--kubeconfig", kubeconfig.toString(),
                "--cache-dir", dir.resolve("kube-cache").toString()));
        command.addAll(List.of(args));
        String shown = String.join(" ", args);
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("kubectl " + shown + " did not end within 60 s");
            }
            return new KubectlResult(shown, process.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run kubectl " + shown, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running kubectl " + shown, e);
        }
    }

    /**
     * The Quarkus kubernetes-client settings that reach this API server as cluster admin: for apps under test.
     */
    public Map<String, String> adminClientConfig() {
        Config c = client.getConfiguration();
        return Map.of(
                "quarkus.kubernetes-client.api-server-url", url,
                "quarkus.kubernetes-client.ca-cert-data", c.getCaCertData(),
                "quarkus.kubernetes-client.client-cert-data", c.getClientCertData(),
                "quarkus.kubernetes-client.client-key-data", c.getClientKeyData(),
                "quarkus.kubernetes-client.trust-certs", "false");
    }

    /** The cluster CA certificate, base64 of PEM (as kubeconfigs carry it). */
    public String caCertData() {
        return client.getConfiguration().getCaCertData();
    }

    /**
     * A kubeconfig for {@code name}, authenticated by {@code token} (a ServiceAccount's): how a pod of that account
     * sees the API server, so the real RBAC authorizer decides what it may do.
     */
    public Path tokenKubeconfig(String name, String token) {
        String text = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: spheron-k8s
                  cluster:
                    server: %s
                    certificate-authority-data: %s
                users:
                - name: %s
                  user:
                    token: %s
                contexts:
                - name: %s
                  context: {cluster: spheron-k8s, user: %s}
                current-context: %s
                """.formatted(url, caCertData(), name, token, name, name, name);
        Path file = dir.resolve("kubeconfig-" + name);
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /**
     * A token of ServiceAccount {@code namespace/name}: from the TokenRequest API (valid 30 days), else, where the
     * API server cannot issue one, from the Secret the token controller makes for the account (waited for up to 30 s).
     */
    public String serviceAccountToken(String namespace, String name) {
        try {
            var request = client.serviceAccounts().inNamespace(namespace).withName(name).tokenRequest(
                    new io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder().withNewSpec()
                            .withExpirationSeconds(30L * 24 * 3600).endSpec().build());
            if (request != null && request.getStatus() != null && request.getStatus().getToken() != null) {
                return request.getStatus().getToken();
            }
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            if (e.getCode() == 403 || e.getCode() == 401) {
                throw e;
            }
            // no TokenRequest API (no service-account issuer configured): the token Secret below
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            var account = client.serviceAccounts().inNamespace(namespace).withName(name).get();
            if (account != null && account.getSecrets() != null) {
                for (var ref : account.getSecrets()) {
                    var secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
                    if (secret != null && secret.getData() != null && secret.getData().containsKey("token")) {
                        return new String(Base64.getDecoder().decode(secret.getData().get("token")), StandardCharsets.UTF_8);
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no token for ServiceAccount " + namespace + "/" + name + " after 30 s");
            }
            sleep(200);
        }
    }

    /** Starts one more hollow node and waits until it is Ready with its GPUs advertised. */
    public void addNode(GpuNode node) {
        run(launcher(), List.of("add-node", dir.toString(), node.spec()));
    }

    /**
     * Statically provisioned volumes, as a provider without a dynamic provisioner would offer them: {@code count}
     * hostPath PersistentVolumes of {@code size} (under this cluster's directory; the hollow kubelet mounts nothing),
     * with no storage class, so that the real PV controller binds claims that name no class to them.
     */
    public void addVolumes(int count, String size) {
        addVolumes(count, size, null);
    }

    /** As {@link #addVolumes(int, String)}, of StorageClass {@code storageClass} (null: none), named after it. */
    public void addVolumes(int count, String size, String storageClass) {
        for (int i = 0; i < count; i++) {
            String name = (storageClass == null ? "local" : storageClass) + "-" + i;
            if (client.persistentVolumes().withName(name).get() != null) {
                continue;
            }
            client.persistentVolumes().resource(new io.fabric8.kubernetes.api.model.PersistentVolumeBuilder()
                    .withNewMetadata().withName(name).addToLabels("openspheron.org/dev-volume", "true").endMetadata()
                    .withNewSpec().addToCapacity("storage", new io.fabric8.kubernetes.api.model.Quantity(size))
                    .withAccessModes("ReadWriteOnce").withPersistentVolumeReclaimPolicy("Delete")
                    .withStorageClassName(storageClass)
                    .withNewHostPath().withPath(dir.resolve("volumes").resolve(name).toString()).withType("DirectoryOrCreate").endHostPath()
                    .endSpec().build()).create();
        }
    }

    /**
     * Makes the first {@code gpus.size()} nodes of an existing cluster look like GPU nodes, the way
     * {@code bin/spheron-k8s} builds its own: the GPU feature discovery labels of {@code gpus[i]}, and its GPU count
     * as the {@code nvidia.com/gpu} extended resource patched into the node's status (as the device plugin would
     * advertise it). Nodes that already advertise GPUs are left as they are. Returns the nodes it changed.
     */
    public List<String> advertiseFakeGpus(List<GpuNode> gpus) {
        List<String> changed = new ArrayList<>();
        List<io.fabric8.kubernetes.api.model.Node> nodes = client.nodes().list().getItems().stream()
                .sorted(java.util.Comparator.comparing(n -> n.getMetadata().getName())).toList();
        for (int i = 0; i < Math.min(nodes.size(), gpus.size()); i++) {
            var node = nodes.get(i);
            GpuNode spec = gpus.get(i);
            String name = node.getMetadata().getName();
            if (spec.gpus() <= 0 || (node.getStatus().getAllocatable() != null
                    && node.getStatus().getAllocatable().containsKey(GPU_RESOURCE))) {
                continue;
            }
            client.nodes().withName(name).edit(n -> {
                n.getMetadata().getLabels().putAll(Map.of("nvidia.com/gpu.present", "true", GPU_PRODUCT_LABEL, spec.product(),
                        "nvidia.com/gpu.count", Integer.toString(spec.gpus()),
                        "nvidia.com/gpu.memory", Integer.toString(spec.gpuMemoryMiB())));
                return n;
            });
            String count = Integer.toString(spec.gpus());
            client.nodes().withName(name).subresource("status").patch(
                    io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON),
                    "[{\"op\":\"add\",\"path\":\"/status/capacity/nvidia.com~1gpu\",\"value\":\"" + count + "\"},"
                            + "{\"op\":\"add\",\"path\":\"/status/allocatable/nvidia.com~1gpu\",\"value\":\"" + count + "\"}]");
            changed.add(name);
        }
        return changed;
    }

    /** Stops a node's kubelet: its Node object stays and turns NotReady, as when a machine goes down. */
    public void stopNode(String name) {
        run(launcher(), List.of("stop-node", dir.toString(), name));
    }

    /** Stops every process of the cluster, keeping its state: {@link #restart()} brings it back. */
    public synchronized void stop() {
        Path launcher = launcher();
        if (running) {
            run(launcher, List.of("down", dir.toString()));
            running = false;
        }
    }

    /** Starts a stopped cluster again from its state (same ports, same objects), nodes included. */
    public synchronized void restart() {
        if (!running) {
            run(launcher(), List.of("up", dir.toString()));
            running = true;
        }
    }

    /** Applies every YAML document of the files in {@code directory} (e.g. the CRDs), sorted by name. */
    public void applyDirectory(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList()) {
                applyFile(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot apply " + directory, e);
        }
    }

    /** Creates, or replaces, every YAML document of {@code file}; waits for CRDs among them to be Established. */
    public void applyFile(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            for (HasMetadata object : client.load(in).items()) {
                client.resource(object).createOr(existing -> existing.update());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot apply " + file, e);
        }
        awaitCrdsEstablished();
    }

    /** Waits until every CRD is Established, so that objects of its kind can be created at once. */
    public void awaitCrdsEstablished() {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            boolean all = client.apiextensions().v1().customResourceDefinitions().list().getItems().stream()
                    .allMatch(crd -> crd.getStatus() != null && crd.getStatus().getConditions() != null
                            && crd.getStatus().getConditions().stream()
                            .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus())));
            if (all) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("CRDs not Established after 30 s");
            }
            sleep(100);
        }
    }

    /**
     * The requests made so far by clients other than the control plane, as the authorizer saw them: from the API
     * server's audit log (a request shows up there about a second after it completed).
     */
    public List<ApiRequest> requests() {
        Path log = dir.resolve("logs").resolve("audit.log");
        List<ApiRequest> requests = new ArrayList<>();
        if (!Files.exists(log)) {
            return requests;
        }
        ObjectMapper json = new ObjectMapper();
        try (Stream<String> lines = Files.lines(log)) {
            lines.forEach(line -> {
                try {
                    JsonNode e = json.readTree(line);
                    JsonNode ref = e.path("objectRef");
                    if (ref.isMissingNode()) {
                        return;
                    }
                    requests.add(new ApiRequest(e.path("user").path("username").asText(), e.path("verb").asText(),
                            ref.path("apiGroup").asText(""), ref.path("resource").asText(), ref.path("subresource").asText(""),
                            ref.path("namespace").asText(""), ref.path("name").asText(""),
                            e.path("responseStatus").path("code").asInt()));
                } catch (IOException partial) {
                    // the line the API server is writing right now: read again later
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + log, e);
        }
        return requests;
    }

    /** The requests {@code user} made (e.g. {@code system:serviceaccount:spheron-system:spheron-provider-operator}). */
    public List<ApiRequest> requestsBy(String user) {
        return requests().stream().filter(r -> r.user().equals(user)).toList();
    }

    @Override
    public void close() {
        client.close();
        if (managed()) {
            stop();
        }
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            return true;
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
