package org.openspheron.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DevClusterTest {
    private DevCluster cluster;
    private KubernetesClient client;

    @BeforeEach
    void start() {
        cluster = DevCluster.start(0, List.of(
                new GpuNode("a100-node", "NVIDIA-A100-SXM4-80GB", 2, 32, 256, "us-east-1a"),
                new GpuNode("h100-node", "NVIDIA-H100-80GB-HBM3", 1, 32, 256, "us-east-1a")), "127.0.0.1");
        client = cluster.client();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("lease-1").endMetadata().build()).create();
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void gpuPodsLandOnANodeOfTheRequiredModelAndTheDeploymentBecomesReady() {
        client.apps().deployments().inNamespace("lease-1").resource(gpuDeployment("H100", "NVIDIA-H100-80GB-HBM3", 1, "vllm/vllm-openai")).create();
        cluster.converge();
        cluster.converge();

        List<Pod> pods = client.pods().inNamespace("lease-1").list().getItems();
        assertThat(pods).singleElement().satisfies(p -> {
            assertThat(p.getSpec().getNodeName()).isEqualTo("h100-node");
            assertThat(p.getStatus().getPhase()).isEqualTo("Running");
        });
        Deployment d = client.apps().deployments().inNamespace("lease-1").withName("H100").get();
        assertThat(d.getStatus().getReadyReplicas()).isEqualTo(1);
    }

    @Test
    void aPodAskingForMoreGpusThanAnyNodeHasStaysPending() {
        client.apps().deployments().inNamespace("lease-1").resource(gpuDeployment("big", "NVIDIA-A100-SXM4-80GB", 4, "pytorch/pytorch")).create();
        cluster.converge();

        assertThat(client.pods().inNamespace("lease-1").list().getItems()).singleElement()
                .satisfies(p -> assertThat(p.getStatus().getPhase()).isEqualTo("Pending"));
    }

    @Test
    void anImageThatDoesNotExistShowsErrImagePull() {
        client.apps().deployments().inNamespace("lease-1").resource(gpuDeployment("bad", "NVIDIA-A100-SXM4-80GB", 1, "ghcr.io/x/does-not-exist:1")).create();
        cluster.converge();

        Pod pod = client.pods().inNamespace("lease-1").list().getItems().get(0);
        assertThat(pod.getStatus().getContainerStatuses().get(0).getState().getWaiting().getReason()).isEqualTo("ErrImagePull");
    }

    @Test
    void nodePortsAreAllocatedAndANamespacesContentsGoWithIt() {
        client.services().inNamespace("lease-1").resource(new ServiceBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withType("NodePort").addNewPort().withPort(80).endPort().endSpec().build()).create();
        cluster.converge();
        assertThat(client.services().inNamespace("lease-1").withName("web").get().getSpec().getPorts().get(0).getNodePort())
                .isBetween(30000, 32767);

        client.namespaces().withName("lease-1").delete();
        cluster.converge();
        assertThat(client.services().inNamespace("lease-1").list().getItems()).isEmpty();
    }

    private static Deployment gpuDeployment(String name, String product, int gpus, String image) {
        return new DeploymentBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withReplicas(1)
                .withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(Map.of("app", name)).endMetadata()
                .withNewSpec()
                .withNewAffinity().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm().addNewMatchExpression().withKey(DevCluster.GPU_PRODUCT_LABEL).withOperator("In")
                .withValues(product).endMatchExpression().endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity()
                .addNewContainer().withName("main").withImage(image)
                .withNewResources().addToLimits(DevCluster.GPU_RESOURCE, new Quantity(Integer.toString(gpus))).endResources()
                .endContainer()
                .endSpec().endTemplate().endSpec().build();
    }
}
