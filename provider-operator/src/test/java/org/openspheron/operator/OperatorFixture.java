package org.openspheron.operator;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.openspheron.devnet.DevCluster;
import org.openspheron.devnet.GpuNode;
import org.openspheron.operator.app.OperatorConfig.ExposedServiceType;
import org.openspheron.operator.app.OperatorLifecycle;
import org.openspheron.operator.app.ReconcileRetry;
import org.openspheron.operator.deployment.GPUDeploymentReconciler;
import org.openspheron.operator.deployment.IngressSettings;
import org.openspheron.operator.inventory.ClusterInventory;
import org.openspheron.operator.inventory.PodTolerations;
import org.openspheron.operator.lease.LeaseChainSide;
import org.openspheron.operator.lease.LeaseEgress;
import org.openspheron.operator.lease.LeaseUpkeep;
import org.openspheron.operator.lease.NoChainSide;
import org.openspheron.operator.lease.PodSecurityLevel;
import org.openspheron.operator.lease.SpheronLeaseReconciler;

/**
 * The operator as the application runs it (same {@link OperatorLifecycle#newOperator} settings) on a real control
 * plane: a {@link DevCluster} (kube-apiserver, controller-manager, scheduler, hollow GPU nodes) with the generated
 * CRDs applied. The operator runs under its own ServiceAccount bound to the ClusterRole from
 * {@code k8s/provider-operator/}, so the real RBAC authorizer decides what it may do and the audit log tells its
 * requests ({@link #operatorWrites}) from the test's own (cluster admin, {@link #client}).
 */
public final class OperatorFixture implements AutoCloseable {
    public static final List<GpuNode> NODES = List.of(
            new GpuNode("gpu-h100-a", "NVIDIA-H100-80GB-HBM3", 2, 64, 512, "eu-west-1a"),
            new GpuNode("gpu-a100-a", "NVIDIA-A100-SXM4-80GB", 2, 64, 512, "eu-west-1a"));
    /** The user the operator's requests carry: its ServiceAccount in {@code spheron-system}. */
    public static final String OPERATOR_USER = "system:serviceaccount:spheron-system:spheron-provider-operator";
    /** Long enough for a loaded 2-core machine shared with other builds; awaits poll, they never just sleep. */
    public static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Retries as the application runs them (unlimited, doubling), on a test's time scale. */
    public static final ReconcileRetry RETRY = new ReconcileRetry(Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(30));
    /** A namespace counts as stuck after 10 s; an ended lease's object is kept 45 s. */
    public static final LeaseUpkeep UPKEEP = new LeaseUpkeep(Duration.ofSeconds(10), Duration.ofSeconds(45));
    private static final Set<String> WRITE_VERBS = Set.of("create", "update", "patch", "delete", "deletecollection");

    public final DevCluster cluster;
    /** Cluster admin: for arranging a test and reading what happened. */
    public final KubernetesClient client;
    public final GPUDeploymentReconciler deployments;
    public final SpheronLeaseReconciler leases;
    private final KubernetesClient operatorClient;
    /** The operator's node and pod informers, read under its ServiceAccount like in a provider's cluster. */
    public final ClusterInventory inventory;
    private final Operator operator;
    private final Map<ResourceID, AtomicInteger> reconciles = new ConcurrentHashMap<>();
    private final Map<ResourceID, AtomicInteger> failures = new ConcurrentHashMap<>();

    private OperatorFixture(List<GpuNode> nodes, ExposedServiceType exposedType, Optional<String> publicHost,
            LeaseChainSide chainSide, Optional<String> gpuRuntimeClass, IngressSettings ingress) {
        cluster = DevCluster.start(nodes);
        client = cluster.client();
        cluster.applyDirectory(generatedCrds());
        operatorClient = serviceAccountClient(cluster);
        inventory = new ClusterInventory(operatorClient);
        deployments = new GPUDeploymentReconciler(exposedType, PodSecurityLevel.baseline, publicHost, Duration.ofMinutes(2),
                inventory, PodTolerations.DEFAULT, gpuRuntimeClass, ingress);
        leases = new SpheronLeaseReconciler(PodSecurityLevel.baseline, chainSide, UPKEEP, new LeaseEgress(List.of(LeaseEgress.NODE_LOCAL_DNS),
                List.of("k8s-app=kube-dns"), Optional.empty(), inventory::nodes), Optional.of(inventory));
        operator = OperatorLifecycle.newOperator(operatorClient, 4, new Metrics() {
            @Override
            public void finishedReconciliation(HasMetadata resource, Map<String, Object> metadata) {
                reconciles.computeIfAbsent(ResourceID.fromResource(resource), id -> new AtomicInteger()).incrementAndGet();
            }

            @Override
            public void failedReconciliation(HasMetadata resource, Exception exception, Map<String, Object> metadata) {
                failures.computeIfAbsent(ResourceID.fromResource(resource), id -> new AtomicInteger()).incrementAndGet();
            }
        });
        operator.register(deployments, RETRY::applyTo);
        operator.register(leases, RETRY::applyTo);
        operator.start();
    }

    public static OperatorFixture start() {
        return new OperatorFixture(NODES, ExposedServiceType.NodePort, Optional.empty(), new NoChainSide(), Optional.empty(), IngressSettings.DEFAULT);
    }

    /** An operator whose GPU pods run under the RuntimeClass {@code gpuRuntimeClass} (spheron.operator.runtime-class). */
    public static OperatorFixture withGpuRuntimeClass(String gpuRuntimeClass) {
        return new OperatorFixture(NODES, ExposedServiceType.NodePort, Optional.empty(), new NoChainSide(), Optional.of(gpuRuntimeClass), IngressSettings.DEFAULT);
    }

    /** An operator that makes Ingresses for {@code accept} hosts with {@code ingress}'s class and issuer. */
    public static OperatorFixture withIngress(IngressSettings ingress) {
        return new OperatorFixture(NODES, ExposedServiceType.NodePort, Optional.empty(), new NoChainSide(), Optional.empty(), ingress);
    }

    public static OperatorFixture start(ExposedServiceType exposedType, Optional<String> publicHost, LeaseChainSide chainSide) {
        return new OperatorFixture(NODES, exposedType, publicHost, chainSide, Optional.empty(), IngressSettings.DEFAULT);
    }

    public static OperatorFixture start(List<GpuNode> nodes, ExposedServiceType exposedType, Optional<String> publicHost,
            LeaseChainSide chainSide) {
        return new OperatorFixture(nodes, exposedType, publicHost, chainSide, Optional.empty(), IngressSettings.DEFAULT);
    }

    /**
     * Waits until {@code inventory}'s informers show GPUs of each of {@code models}. A test class's first test runs
     * right after its cluster started, and may otherwise read the inventory before a node's GPUs reached the cache.
     */
    public static void awaitGpuModels(ClusterInventory inventory, String... models) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> inventory.read()
                .gpuOffers().stream().map(org.openspheron.chain.GpuOffer::model).collect(java.util.stream.Collectors.toSet())
                .containsAll(List.of(models)));
    }

    /** The CRD YAML the build generated from the Java types (the same files crds/ must hold). */
    public static Path generatedCrds() {
        Path dir = Path.of("target", "crds");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException(dir.toAbsolutePath() + " is missing: run the build's generate phase (mvn process-classes)");
        }
        return dir;
    }

    /** {@code k8s/provider-operator/} of this checkout: the namespace, ServiceAccount and RBAC a provider applies. */
    public static Path operatorManifests() {
        String root = System.getProperty("spheron.root");
        Path base = root == null || root.isBlank() ? Path.of("..") : Path.of(root);
        return base.resolve("k8s").resolve("provider-operator");
    }

    /** A client authenticated as the operator's ServiceAccount, with the ClusterRole providers install. */
    public static KubernetesClient serviceAccountClient(DevCluster cluster) {
        Path manifests = operatorManifests();
        for (String file : List.of("00-namespace.yaml", "10-serviceaccount.yaml", "20-rbac.yaml")) {
            cluster.applyFile(manifests.resolve(file));
        }
        String token = cluster.serviceAccountToken("spheron-system", "spheron-provider-operator");
        try {
            String kubeconfig = Files.readString(cluster.tokenKubeconfig("spheron-provider-operator", token));
            return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until {@code read} returns a value matching {@code done}, and returns it. */
    public <T> T awaitValue(Supplier<T> read, Predicate<T> done) {
        return await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(read::get, v -> v != null && done.test(v));
    }

    public <T extends HasMetadata> T create(T object) {
        return client.resource(object).create();
    }

    /** Reconciles of {@code resource} that finished without throwing so far. */
    public int reconciles(HasMetadata resource) {
        AtomicInteger count = reconciles.get(ResourceID.fromResource(resource));
        return count == null ? 0 : count.get();
    }

    /** How many reconciles of {@code resource} threw, each of them retried by JOSDK. */
    public int failedReconciles(HasMetadata resource) {
        AtomicInteger count = failures.get(ResourceID.fromResource(resource));
        return count == null ? 0 : count.get();
    }

    /** Runs {@code trigger}, then waits until {@code resource} was reconciled at least once more. */
    public void awaitReconcile(HasMetadata resource, Runnable trigger) {
        int before = reconciles(resource);
        trigger.run();
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> reconciles(resource) > before);
    }

    /**
     * Every write (create, update, patch, delete) the operator made so far, as the API server's audit log records
     * them. A request shows up there right after it completed: a marker request made now is waited for, so every
     * write the operator finished before this call is counted.
     */
    public List<DevCluster.ApiRequest> operatorWrites() {
        String marker = "audit-marker-" + UUID.randomUUID();
        operatorClient.namespaces().withName(marker).get();
        return await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200))
                .until(() -> cluster.requestsBy(OPERATOR_USER), seen -> seen.stream().anyMatch(r -> marker.equals(r.name())))
                .stream().filter(r -> WRITE_VERBS.contains(r.verb())).toList();
    }

    /** The operator's writes to objects in {@code namespace}, or to {@code namespace} itself. */
    public List<DevCluster.ApiRequest> operatorWritesIn(String namespace) {
        return operatorWrites().stream()
                .filter(r -> namespace.equals(r.namespace()) || ("namespaces".equals(r.resource()) && namespace.equals(r.name())))
                .toList();
    }

    @Override
    public void close() {
        operator.stop();
        inventory.close();
        operatorClient.close();
        cluster.close();
    }
}
