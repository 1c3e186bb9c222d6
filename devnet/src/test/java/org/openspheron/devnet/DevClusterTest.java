package org.openspheron.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
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

    @Test
    void podLogsServeWhatTheContainerWroteWithTailAndTheApiServersErrors() {
        client.apps().deployments().inNamespace("lease-1").resource(gpuDeployment("web", "NVIDIA-A100-SXM4-80GB", 1, "nginx")).create();
        cluster.converge();
        cluster.writeContainerOutput("lease-1", "web-0", "main", "listening on :80", "GET / 200");

        String log = client.pods().inNamespace("lease-1").withName("web-0").getLog();
        assertThat(log.lines().toList()).hasSize(3).startsWith("devnet: simulated container main (image nginx) started"
                + " on node a100-node; it runs no code").endsWith("listening on :80", "GET / 200");
        assertThat(client.pods().inNamespace("lease-1").withName("web-0").tailingLines(1).getLog()).isEqualTo("GET / 200\n");
        assertThat(client.pods().inNamespace("lease-1").withName("web-0").inContainer("main").getLog()).contains("GET / 200");

        assertThatThrownBy(() -> client.pods().inNamespace("lease-1").withName("web-0").inContainer("sidecar").getLog())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(400));
        assertThatThrownBy(() -> client.pods().inNamespace("lease-1").withName("nope-0").getLog())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(404));
    }

    @Test
    void aContainerThatCannotPullItsImageHasNoLogYet() {
        client.apps().deployments().inNamespace("lease-1").resource(gpuDeployment("bad", "NVIDIA-A100-SXM4-80GB", 1, "ghcr.io/x/does-not-exist:1")).create();
        cluster.converge();

        assertThatThrownBy(() -> client.pods().inNamespace("lease-1").withName("bad-0").getLog())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("is waiting to start: ErrImagePull");
                });
    }

    @Test
    void statefulSetClaimsAreCreatedBoundAndMountedPerOrdinal() {
        PersistentVolumeClaim template = new PersistentVolumeClaimBuilder().withNewMetadata().withName("data").endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName("fast")
                .withNewResources().addToRequests("storage", new Quantity("10Gi")).endResources().endSpec().build();
        Deployment pod = gpuDeployment("db", "NVIDIA-A100-SXM4-80GB", 1, "postgres");
        client.apps().statefulSets().inNamespace("lease-1").resource(new StatefulSetBuilder()
                .withNewMetadata().withName("db").endMetadata()
                .withNewSpec().withReplicas(2).withServiceName("db").withSelector(pod.getSpec().getSelector())
                .withTemplate(pod.getSpec().getTemplate()).withVolumeClaimTemplates(template).endSpec().build()).create();
        cluster.converge();
        cluster.converge();

        List<PersistentVolumeClaim> claims = client.persistentVolumeClaims().inNamespace("lease-1").list().getItems();
        assertThat(claims).extracting(c -> c.getMetadata().getName()).containsExactlyInAnyOrder("data-db-0", "data-db-1");
        assertThat(claims).allSatisfy(c -> {
            assertThat(c.getStatus().getPhase()).isEqualTo("Bound");
            assertThat(c.getStatus().getCapacity()).containsEntry("storage", new Quantity("10Gi"));
            assertThat(c.getSpec().getStorageClassName()).isEqualTo("fast");
            assertThat(c.getMetadata().getLabels()).containsEntry("app", "db");
        });
        Pod db1 = client.pods().inNamespace("lease-1").withName("db-1").get();
        assertThat(db1.getSpec().getVolumes()).singleElement().satisfies(v -> {
            assertThat(v.getName()).isEqualTo("data");
            assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("data-db-1");
        });
        assertThat(client.apps().statefulSets().inNamespace("lease-1").withName("db").get().getStatus().getReadyReplicas())
                .isEqualTo(2);
    }

    @Test
    void objectsWhoseOwnerIsDeletedAreGarbageCollectedAndOthersKept() {
        Deployment owner = client.apps().deployments().inNamespace("lease-1")
                .resource(gpuDeployment("owner", "NVIDIA-A100-SXM4-80GB", 0, "busybox")).create();
        client.services().inNamespace("lease-1").resource(new ServiceBuilder().withNewMetadata().withName("owned")
                .addNewOwnerReference().withApiVersion("apps/v1").withKind("Deployment").withName("owner")
                .withUid(owner.getMetadata().getUid()).withController(true).endOwnerReference().endMetadata()
                .withNewSpec().addNewPort().withPort(80).endPort().endSpec().build()).create();
        client.services().inNamespace("lease-1").resource(new ServiceBuilder().withNewMetadata().withName("free").endMetadata()
                .withNewSpec().addNewPort().withPort(80).endPort().endSpec().build()).create();
        cluster.converge();
        assertThat(client.services().inNamespace("lease-1").withName("owned").get()).isNotNull();

        client.apps().deployments().inNamespace("lease-1").withName("owner").delete();
        cluster.converge();
        assertThat(client.services().inNamespace("lease-1").withName("owned").get()).isNull();
        assertThat(client.pods().inNamespace("lease-1").list().getItems()).isEmpty();
        assertThat(client.services().inNamespace("lease-1").withName("free").get()).isNotNull();
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
