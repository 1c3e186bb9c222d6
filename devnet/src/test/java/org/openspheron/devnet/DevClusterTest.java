package org.openspheron.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The harness on the real control plane: GPU nodes as the device plugin shows them, scheduling, logs, RBAC, audit. */
class DevClusterTest {
    private static DevCluster cluster;
    private static KubernetesClient client;

    @BeforeAll
    static void start() {
        cluster = DevCluster.start(List.of(
                new GpuNode("gpu-h100", "NVIDIA-H100-80GB-HBM3", 2, 16, 64, "eu-west-1a"),
                new GpuNode("gpu-a100", "NVIDIA-A100-SXM4-40GB", 1, 16, 64, "eu-west-1a").withTaint(),
                new GpuNode("cpu-only", "", 0, 8, 32, "eu-west-1a"),
                new GpuNode("spare", "", 0, 8, 32, "eu-west-1a")));
        client = cluster.client();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("t").endMetadata().build()).create();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void nodesShowTheirGpusAsTheDevicePluginAndFeatureDiscoveryWould() {
        var h100 = client.nodes().withName("gpu-h100").get();
        assertThat(h100.getStatus().getAllocatable()).containsEntry(DevCluster.GPU_RESOURCE, new Quantity("2"));
        assertThat(h100.getMetadata().getLabels()).containsEntry(DevCluster.GPU_PRODUCT_LABEL, "NVIDIA-H100-80GB-HBM3")
                .containsEntry("nvidia.com/gpu.memory", "81920").containsEntry("topology.kubernetes.io/zone", "eu-west-1a");
        assertThat(client.nodes().withName("gpu-a100").get().getSpec().getTaints())
                .anyMatch(t -> t.getKey().equals(DevCluster.GPU_RESOURCE) && t.getEffect().equals("NoSchedule"));
        assertThat(client.nodes().withName("cpu-only").get().getStatus().getAllocatable()).doesNotContainKey(DevCluster.GPU_RESOURCE);
        assertThat(cluster.url()).startsWith("https://127.0.0.1:");
    }

    @Test
    void theSchedulerPlacesAGpuPodWhereTheGpusAreAndItsLogsAreReadable() {
        client.pods().inNamespace("t").resource(gpuPod("two-gpus", 2)).create();
        Pod running = client.pods().inNamespace("t").withName("two-gpus")
                .waitUntilCondition(p -> p != null && "Running".equals(p.getStatus().getPhase()), 60, TimeUnit.SECONDS);

        assertThat(running.getSpec().getNodeName()).isEqualTo("gpu-h100");
        assertThat(client.pods().inNamespace("t").withName("two-gpus").getLog())
                .contains("hollow container main started from image example/trainer:1").contains("$ python train.py");
    }

    @Test
    void aPodAskingMoreGpusThanAnyNodeHasStaysPending() {
        client.pods().inNamespace("t").resource(gpuPod("eight-gpus", 8)).create();
        Pod pending = client.pods().inNamespace("t").withName("eight-gpus").waitUntilCondition(p -> p != null
                && p.getStatus().getConditions().stream().anyMatch(c -> "PodScheduled".equals(c.getType())
                && "Unschedulable".equals(c.getReason())), 60, TimeUnit.SECONDS);
        assertThat(pending.getStatus().getPhase()).isEqualTo("Pending");
    }

    @Test
    void aServiceAccountGetsOnlyWhatRbacGrantsAndTheAuditLogShowsWhatItTried() {
        client.serviceAccounts().inNamespace("t").resource(new ServiceAccountBuilder().withNewMetadata().withName("nobody")
                .endMetadata().build()).create();
        String token = cluster.serviceAccountToken("t", "nobody");
        Config config = Config.fromKubeconfig(readString(cluster.tokenKubeconfig("nobody", token)));
        try (KubernetesClient nobody = new KubernetesClientBuilder().withConfig(config).build()) {
            assertThatThrownBy(() -> nobody.nodes().list()).isInstanceOf(KubernetesClientException.class)
                    .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(403));
        }
        String user = "system:serviceaccount:t:nobody";
        List<DevCluster.ApiRequest> seen = awaitRequests(user);
        assertThat(seen).anyMatch(r -> r.verb().equals("list") && r.resource().equals("nodes") && r.code() == 403);
    }

    @Test
    void anExistingClustersNodesGetFakeGpusAndTakeGpuPods() {
        DevCluster existing = DevCluster.existing(cluster.kubeconfig());
        GpuNode none = new GpuNode("-", "", 0, 0, 0, "");
        List<String> changed = existing.advertiseFakeGpus(List.of(none, none, none,
                new GpuNode("-", "NVIDIA-L4", 3, 0, 0, "")));

        assertThat(changed).containsExactly("spare");
        var spare = client.nodes().withName("spare").get();
        assertThat(spare.getStatus().getAllocatable()).containsEntry(DevCluster.GPU_RESOURCE, new Quantity("3"));
        assertThat(spare.getMetadata().getLabels()).containsEntry(DevCluster.GPU_PRODUCT_LABEL, "NVIDIA-L4");
        assertThat(existing.advertiseFakeGpus(List.of(none, none, none, new GpuNode("-", "NVIDIA-L4", 3, 0, 0, ""))))
                .as("a node that advertises GPUs already is left alone").isEmpty();
        Pod three = new PodBuilder(gpuPod("three-l4", 3)).editSpec().withNodeSelector(java.util.Map.of(
                DevCluster.GPU_PRODUCT_LABEL, "NVIDIA-L4")).endSpec().build();
        client.pods().inNamespace("t").resource(three).create();
        assertThat(client.pods().inNamespace("t").withName("three-l4").waitUntilCondition(
                p -> p != null && "Running".equals(p.getStatus().getPhase()), 60, TimeUnit.SECONDS).getSpec().getNodeName())
                .isEqualTo("spare");
        assertThat(existing.managed()).isFalse();
        assertThatThrownBy(existing::stop).isInstanceOf(UnsupportedOperationException.class);
        existing.close();
        assertThat(client.nodes().list().getItems()).as("closing an existing cluster stops nothing").hasSize(4);
    }

    private static List<DevCluster.ApiRequest> awaitRequests(String user) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            List<DevCluster.ApiRequest> seen = cluster.requestsBy(user);
            if (!seen.isEmpty() || System.nanoTime() > deadline) {
                return seen;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static Pod gpuPod(String name, int gpus) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addNewContainer().withName("main").withImage("example/trainer:1")
                .withCommand("python", "train.py")
                .withNewResources().addToLimits(DevCluster.GPU_RESOURCE, new Quantity(Integer.toString(gpus))).endResources()
                .endContainer().endSpec().build();
    }

    private static String readString(java.nio.file.Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
