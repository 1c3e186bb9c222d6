package org.openspheron.operator.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.operator.Manifests.deployment;
import static org.openspheron.operator.Manifests.service;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.openspheron.operator.app.OperatorConfig.ExposedServiceType;
import org.openspheron.operator.inventory.PodTolerations;

/** The placement rule alone; {@link GPUDeploymentReconcilerTest} shows it on a real control plane. */
class GpuPlacementTest {
    private static final PodSettings PODS = new PodSettings(false, PodTolerations.DEFAULT, java.util.Optional.empty());

    @Test
    void aNewWorkloadTakesWhatTheNodesOfferNow() {
        WorkloadService infer = service("infer", "vllm", 1, "A100");

        assertThat(GpuPlacement.choose(infer, null, set("NVIDIA-A100-SXM4-80GB"))).containsExactly("NVIDIA-A100-SXM4-80GB");
    }

    @Test
    void aRunningWorkloadKeepsItsPlacementWhenANewVariantJoins() {
        WorkloadService infer = service("infer", "vllm", 1, "A100");
        Deployment running = ready(workload(infer, set("NVIDIA-A100-SXM4-80GB")), 0);

        assertThat(GpuPlacement.choose(infer, running, set("NVIDIA-A100-PCIE-40GB", "NVIDIA-A100-SXM4-80GB")))
                .containsExactly("NVIDIA-A100-SXM4-80GB");
    }

    @Test
    void aRunningWorkloadKeepsItsPlacementWhenItsOnlyNodeIsRelabelled() {
        WorkloadService infer = service("infer", "vllm", 1, "A100");
        Deployment running = ready(workload(infer, set("NVIDIA-A100-SXM4-80GB")), 1);

        assertThat(GpuPlacement.choose(infer, running, set("NVIDIA-A100-80GB-SXM4"))).containsExactly("NVIDIA-A100-SXM4-80GB");
        assertThat(GpuPlacement.choose(infer, running, null)).containsExactly("NVIDIA-A100-SXM4-80GB");
    }

    @Test
    void aWorkloadWhosePlacementNoNodeOffersAndThatCannotRunPicksAgain() {
        WorkloadService infer = service("infer", "vllm", 1, "A100");
        Deployment stuck = ready(workload(infer, set("NVIDIA-A100-SXM4-80GB")), 0);

        assertThat(GpuPlacement.choose(infer, stuck, set("NVIDIA-A100-PCIE-40GB"))).containsExactly("NVIDIA-A100-PCIE-40GB");
    }

    @Test
    void aNewModelInTheSpecPicksAgain() {
        Deployment running = ready(workload(service("infer", "vllm", 1, "A100"), set("NVIDIA-A100-SXM4-80GB")), 1);
        WorkloadService now = service("infer", "vllm", 1, "A100-40GB");

        assertThat(GpuPlacement.choose(now, running, set("NVIDIA-A100-PCIE-40GB", "NVIDIA-A100-SXM4-80GB")))
                .containsExactly("NVIDIA-A100-PCIE-40GB", "NVIDIA-A100-SXM4-80GB");
    }

    @Test
    void theWorkloadRecordsTheModelItsPlacementWasChosenFor() {
        HasMetadata workload = workload(service("infer", "vllm", 1, "nvidia-a100-80gb"), set("NVIDIA-A100-SXM4-80GB"));

        assertThat(workload.getMetadata().getAnnotations()).containsEntry(GpuPlacement.PLACED_FOR, "A100-80GB");
        assertThat(GpuPlacement.read(workload)).hasValueSatisfying(p -> {
            assertThat(p.forModel()).hasValue("A100-80GB");
            assertThat(p.products()).containsExactly("NVIDIA-A100-SXM4-80GB");
        });
    }

    private static Deployment workload(WorkloadService service, SortedSet<String> products) {
        GPUDeployment owner = deployment("ns", "d", null, service);
        owner.getMetadata().setUid("uid-1");
        return (Deployment) WorkloadObjects.desired(owner, service, products, ExposedServiceType.NodePort, PODS, IngressSettings.DEFAULT).workload();
    }

    private static Deployment ready(Deployment workload, int readyReplicas) {
        return new DeploymentBuilder(workload).withNewStatus().withReadyReplicas(readyReplicas).endStatus().build();
    }

    private static SortedSet<String> set(String... values) {
        return new TreeSet<>(java.util.List.of(values));
    }
}
