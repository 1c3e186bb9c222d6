package org.openspheron.operator;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.openspheron.devnet.DevCluster;
import org.openspheron.devnet.GpuNode;
import org.openspheron.operator.app.OperatorConfig.ExposedServiceType;
import org.openspheron.operator.app.OperatorLifecycle;
import org.openspheron.operator.deployment.GPUDeploymentReconciler;
import org.openspheron.operator.lease.LeaseChainSide;
import org.openspheron.operator.lease.PodSecurityLevel;
import org.openspheron.operator.lease.SpheronLeaseReconciler;

/**
 * The operator as the application runs it (same {@link OperatorLifecycle#newOperator} settings), against a
 * DevCluster: fabric8's API server in CRUD mode with the generated CRDs applied, two fake GPU nodes, and the
 * simulated scheduler, controllers and kubelet.
 */
public final class OperatorFixture implements AutoCloseable {
    public static final List<GpuNode> NODES = List.of(
            new GpuNode("gpu-h100-a", "NVIDIA-H100-80GB-HBM3", 2, 64, 512, "eu-west-1a"),
            new GpuNode("gpu-a100-a", "NVIDIA-A100-SXM4-80GB", 2, 64, 512, "eu-west-1a"));

    public final DevCluster cluster;
    public final KubernetesClient client;
    public final GPUDeploymentReconciler deployments;
    public final SpheronLeaseReconciler leases;
    private final Operator operator;

    private OperatorFixture(ExposedServiceType exposedType, Optional<String> publicHost, LeaseChainSide chainSide) {
        cluster = DevCluster.start(0, NODES, "127.0.0.1");
        client = cluster.client();
        cluster.applyDirectory(generatedCrds());
        deployments = new GPUDeploymentReconciler(exposedType, PodSecurityLevel.baseline, publicHost);
        leases = new SpheronLeaseReconciler(PodSecurityLevel.baseline, chainSide);
        operator = OperatorLifecycle.newOperator(client, 4);
        operator.register(deployments);
        operator.register(leases);
        operator.start();
    }

    public static OperatorFixture start() {
        return new OperatorFixture(ExposedServiceType.NodePort, Optional.empty(), lease -> { });
    }

    public static OperatorFixture start(ExposedServiceType exposedType, Optional<String> publicHost, LeaseChainSide chainSide) {
        return new OperatorFixture(exposedType, publicHost, chainSide);
    }

    /** The CRD YAML the build generated from the Java types (the same files crds/ must hold). */
    public static Path generatedCrds() {
        Path dir = Path.of("target", "crds");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException(dir.toAbsolutePath() + " is missing: run the build's generate phase (mvn process-classes)");
        }
        return dir;
    }

    /** Waits until {@code read} returns a value matching {@code done}, and returns it. */
    public <T> T awaitValue(java.util.function.Supplier<T> read, Predicate<T> done) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(read::get, v -> v != null && done.test(v));
    }

    public <T extends HasMetadata> T create(T object) {
        return client.resource(object).create();
    }

    @Override
    public void close() {
        operator.stop();
        cluster.close();
    }
}
