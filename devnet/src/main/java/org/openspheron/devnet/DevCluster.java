package org.openspheron.devnet;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A stand-in Kubernetes API server for machines without a cluster: fabric8's mock server in CRUD mode (it stores
 * objects and serves lists and watches), fake GPU nodes, and a {@link SimulatedControlPlane} that plays the
 * scheduler, the controllers and the kubelet. It validates no schemas and enforces no admission or quotas.
 */
public final class DevCluster implements AutoCloseable {
    public static final String GPU_RESOURCE = "nvidia.com/gpu";
    public static final String GPU_PRODUCT_LABEL = "nvidia.com/gpu.product";

    /** Held so the level sticks: the mock server logs every request at INFO. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    /** The User-Agent of this stand-in's own client, so that {@link #requests()} holds only the apps' calls. */
    public static final String OWN_USER_AGENT = "spheron-devcluster";
    private static final int MAX_DISTINCT_REQUESTS = 20_000;

    private final KubernetesMockServer server;
    private final KubernetesClient client;
    private final SimulatedControlPlane controlPlane;
    private final ContainerOutput output;
    private final Set<ApiRequest> requests = ConcurrentHashMap.newKeySet();
    private final Thread recorder;

    /** One distinct request an app made: its method and path with query, as RBAC sees them. */
    public record ApiRequest(String method, String path) {
    }

    private DevCluster(KubernetesMockServer server, ContainerOutput output, String nodeAddress) {
        this.server = server;
        this.output = output;
        this.client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(server.createClient().getConfiguration())
                .withUserAgent(OWN_USER_AGENT).build()).build();
        this.controlPlane = new SimulatedControlPlane(client, output, nodeAddress);
        // The mock server queues every request it receives; draining it keeps memory flat over a long local run and
        // keeps the distinct calls of the apps for the RBAC check.
        this.recorder = new Thread(this::recordRequests, "devcluster-requests-" + server.getPort());
        this.recorder.setDaemon(true);
        this.recorder.start();
    }

    private void recordRequests() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                RecordedRequest request = server.takeRequest(1, TimeUnit.SECONDS);
                if (request != null && !OWN_USER_AGENT.equals(request.getHeader("User-Agent"))
                        && requests.size() < MAX_DISTINCT_REQUESTS) {
                    requests.add(new ApiRequest(request.getMethod(), request.getPath()));
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // a malformed request is still served (or refused) by the mock server; it only goes unrecorded
            }
        }
    }

    /** The distinct requests clients other than this stand-in's own made so far (for the RBAC coverage check). */
    public Set<ApiRequest> requests() {
        return Set.copyOf(requests);
    }

    /** Starts an API server on {@code port} (0: any free port) with the given nodes. */
    public static DevCluster start(int port, List<GpuNode> nodes, String nodeAddress) {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
        ContainerOutput output = new ContainerOutput();
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new StandInDispatcher(output), false);
        server.init(InetAddress.getLoopbackAddress(), port);
        DevCluster cluster = new DevCluster(server, output, nodeAddress);
        nodes.forEach(cluster::addNode);
        cluster.controlPlane.start();
        return cluster;
    }

    /** Runs one pass of the simulated control plane now (it also runs in the background). */
    public void converge() {
        controlPlane.step();
    }

    /**
     * Lines a container of the pod writes to its standard output, as the workload would print them; the API
     * server's {@code pods/log} (and so {@code kubectl logs} and the provider's gateway) serves them from then on.
     */
    public void writeContainerOutput(String namespace, String pod, String container, String... lines) {
        var running = client.pods().inNamespace(namespace).withName(pod).get();
        if (running == null) {
            throw new IllegalArgumentException("no pod " + namespace + "/" + pod + " to write output for");
        }
        output.write(running.getMetadata().getUid(), container, List.of(lines));
    }

    public KubernetesClient client() {
        return client;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    public int port() {
        return server.getPort();
    }

    /** Creates a node as the NVIDIA device plugin and GPU feature discovery would show it. */
    public void addNode(GpuNode node) {
        Map<String, Quantity> capacity = new HashMap<>();
        capacity.put("cpu", new Quantity(Integer.toString(node.cpuCores())));
        capacity.put("memory", new Quantity(node.memoryGi() + "Gi"));
        capacity.put("pods", new Quantity("110"));
        if (node.gpus() > 0) {
            capacity.put(GPU_RESOURCE, new Quantity(Integer.toString(node.gpus())));
        }
        Map<String, String> labels = new HashMap<>();
        labels.put("kubernetes.io/hostname", node.name());
        labels.put("topology.kubernetes.io/zone", node.zone());
        if (node.gpus() > 0) {
            labels.put(GPU_PRODUCT_LABEL, node.product());
            labels.put("nvidia.com/gpu.count", Integer.toString(node.gpus()));
            labels.put("nvidia.com/gpu.present", "true");
        }
        client.nodes().resource(new NodeBuilder()
                .withNewMetadata().withName(node.name()).withLabels(labels).endMetadata()
                .withNewStatus()
                .withCapacity(capacity)
                .withAllocatable(capacity)
                .addNewAddress().withType("InternalIP").withAddress("127.0.0.1").endAddress()
                .addNewCondition().withType("Ready").withStatus("True").endCondition()
                .endStatus()
                .build()).create();
    }

    /** Applies every YAML document of the files in {@code directory} (e.g. the CRDs), sorted by name. */
    public void applyDirectory(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    for (HasMetadata object : client.load(in).items()) {
                        client.resource(object).createOr(existing -> existing.update());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot apply " + directory, e);
        }
    }

    /** A kubeconfig that points kubectl and the fabric8 client at this server. */
    public String kubeconfig(String name) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: %1$s
                  cluster:
                    server: %2$s
                contexts:
                - name: %1$s
                  context:
                    cluster: %1$s
                    user: %1$s
                    namespace: default
                current-context: %1$s
                users:
                - name: %1$s
                  user:
                    token: devnet
                """.formatted(name, url());
    }

    @Override
    public void close() {
        recorder.interrupt();
        controlPlane.close();
        client.close();
        server.destroy();
    }
}
