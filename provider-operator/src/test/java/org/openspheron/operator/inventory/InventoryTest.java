package org.openspheron.operator.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.GpuOffer;

class InventoryTest {
    private static final Node A100S = gpuNode("a100-node", "NVIDIA-A100-SXM4-80GB", 2, "32", "256Gi");
    private static final Node H100 = gpuNode("h100-node", "NVIDIA-H100-80GB-HBM3", 1, "16", "128Gi");

    @Test
    void gpusAreCountedPerModelFromAllocatableAndTheProductLabel() {
        Inventory inventory = Inventory.of(List.of(A100S, H100), List.of());

        assertThat(inventory.gpuOffers()).containsExactly(new GpuOffer("A100", 2, 2), new GpuOffer("H100", 1, 1));
        assertThat(inventory.free().get("a100-node")).isEqualTo(
                new NodeCapacity("a100-node", "A100-80GB-SXM", 2, 32_000, 256 * 1024, Long.MAX_VALUE));
    }

    @Test
    void runningPodsHoldTheirGpuLimitsAndCpuAndMemoryRequests() {
        Pod running = pod("lease-1", "a100-node", "Running", 1, "4", "16Gi");
        Pod pending = pod("lease-2", "a100-node", "Pending", 1, "500m", "1Gi");

        Inventory inventory = Inventory.of(List.of(A100S), List.of(running, pending));

        assertThat(inventory.free().get("a100-node")).isEqualTo(
                new NodeCapacity("a100-node", "A100-80GB-SXM", 0, 27_500, 256 * 1024 - 17 * 1024, Long.MAX_VALUE));
        assertThat(inventory.hasPodsIn("lease-1")).isTrue();
    }

    @Test
    void finishedAndUnscheduledPodsHoldNothing() {
        Pod succeeded = pod("a", "h100-node", "Succeeded", 1, "1", "1Gi");
        Pod failed = pod("b", "h100-node", "Failed", 1, "1", "1Gi");
        Pod unscheduled = pod("c", null, "Pending", 1, "1", "1Gi");

        Inventory inventory = Inventory.of(List.of(H100), List.of(succeeded, failed, unscheduled));

        assertThat(inventory.freeGpus("H100")).isEqualTo(1);
        assertThat(inventory.hasPodsIn("c")).isFalse();
    }

    @Test
    void cordonedAndNotReadyNodesOfferNothing() {
        Node cordoned = new NodeBuilder(A100S).editSpec().withUnschedulable(true).endSpec().build();
        Node notReady = new NodeBuilder(H100).editStatus().editFirstCondition().withStatus("False").endCondition().endStatus().build();

        Inventory inventory = Inventory.of(List.of(cordoned, notReady), List.of());

        assertThat(inventory.gpuOffers()).isEmpty();
        assertThat(inventory.place(new Demand("H100", 1, 1000, 1024, 0))).isEqualTo(new Placement.Nowhere(Shortfall.NO_SUCH_MODEL));
    }

    @Test
    void anOrderIsPlacedWholeOnOneNodeOrReportsHowFarItGot() {
        Inventory inventory = Inventory.of(List.of(A100S, H100), List.of());

        assertThat(inventory.place(new Demand("a100", 2, 4000, 16_384, 0))).isEqualTo(new Placement.OnNode("a100-node"));
        assertThat(inventory.place(new Demand("A100", 4, 4000, 16_384, 0))).isEqualTo(new Placement.Nowhere(Shortfall.GPUS));
        assertThat(inventory.place(new Demand("H100", 1, 64_000, 1024, 0))).isEqualTo(new Placement.Nowhere(Shortfall.CPU));
        assertThat(inventory.place(new Demand("H100", 1, 1000, 512 * 1024, 0))).isEqualTo(new Placement.Nowhere(Shortfall.MEMORY));
        assertThat(inventory.place(new Demand("L40S", 1, 1000, 1024, 0))).isEqualTo(new Placement.Nowhere(Shortfall.NO_SUCH_MODEL));
    }

    @Test
    void aClaimedGpuIsNotOfferedAgain() {
        Inventory inventory = Inventory.of(List.of(A100S, H100), List.of());
        Demand oneH100 = new Demand("H100", 1, 1000, 1024, 0);

        Inventory claimed = inventory.minus(List.of(new Claim(Claim.forOrder(7), "h100-node", oneH100)));

        assertThat(claimed.place(oneH100)).isEqualTo(new Placement.Nowhere(Shortfall.GPUS));
        assertThat(claimed.gpuOffers()).contains(new GpuOffer("H100", 1, 0));
    }

    @Test
    void cpuOnlyOrdersGoToTheNodeThatKeepsTheFewestGpusIdle() {
        Node cpuOnly = gpuNode("cpu-node", null, 0, "8", "32Gi");
        Inventory inventory = Inventory.of(List.of(A100S, H100, cpuOnly), List.of());

        assertThat(inventory.place(new Demand("", 0, 2000, 4096, 0))).isEqualTo(new Placement.OnNode("cpu-node"));
    }

    @Test
    void storageCountsWhereTheNodeReportsIt() {
        Node small = new NodeBuilder(H100).editStatus()
                .addToAllocatable("ephemeral-storage", new Quantity("10Gi")).endStatus().build();
        Inventory inventory = Inventory.of(List.of(small), List.of());

        assertThat(inventory.place(new Demand("H100", 1, 1000, 1024, 20 * 1024))).isEqualTo(new Placement.Nowhere(Shortfall.STORAGE));
        assertThat(inventory.place(new Demand("H100", 1, 1000, 1024, 5 * 1024))).isEqualTo(new Placement.OnNode("h100-node"));
    }

    @Test
    void aBiggerOrMoreSpecificGpuServesALessSpecificOrderNotTheOtherWayRound() {
        Node a100Pcie40 = gpuNode("a100-40", "NVIDIA-A100-PCIE-40GB", 4, "32", "256Gi");
        Inventory inventory = Inventory.of(List.of(A100S, a100Pcie40, H100), List.of());

        assertThat(inventory.place(new Demand("A100-80GB", 2, 1000, 1024, 0))).isEqualTo(new Placement.OnNode("a100-node"));
        assertThat(inventory.place(new Demand("A100-80GB", 3, 1000, 1024, 0))).isEqualTo(new Placement.Nowhere(Shortfall.GPUS));
        assertThat(inventory.place(new Demand("A100-PCIE", 3, 1000, 1024, 0))).isEqualTo(new Placement.OnNode("a100-40"));
        assertThat(inventory.place(new Demand("H100-SXM", 1, 1000, 1024, 0))).isEqualTo(new Placement.OnNode("h100-node"));
        assertThat(inventory.place(new Demand("H100-PCIE", 1, 1000, 1024, 0))).isEqualTo(new Placement.Nowhere(Shortfall.NO_SUCH_MODEL));
        assertThat(inventory.freeGpus("A100")).isEqualTo(6);
        assertThat(inventory.freeGpus("A100-80GB")).isEqualTo(2);
        // Offers stay per base model, as the registry and the matchmaker compare them.
        assertThat(inventory.gpuOffers()).containsExactly(new GpuOffer("A100", 6, 6), new GpuOffer("H100", 1, 1));
    }

    @Test
    void migSlicedAndTimeSharedNodesSellTheirCpuButNoGpus() {
        Node mig = new NodeBuilder(gpuNode("mig", "NVIDIA-A100-SXM4-40GB-MIG-1g.5gb", 14, "32", "256Gi"))
                .editMetadata().addToLabels(GpuModels.MIG_STRATEGY_LABEL, "single").endMetadata().build();
        Node shared = new NodeBuilder(gpuNode("shared", "NVIDIA-A100-SXM4-80GB", 8, "32", "256Gi"))
                .editMetadata().addToLabels(GpuModels.REPLICAS_LABEL, "4").endMetadata().build();
        Pod slice = pod("lease-9", "mig", "Running", 1, "1", "1Gi");
        Inventory inventory = Inventory.of(List.of(mig, shared), List.of(slice));

        assertThat(inventory.gpuOffers()).isEmpty();
        assertThat(inventory.freeGpus("A100")).isZero();
        assertThat(inventory.place(new Demand("A100", 1, 1000, 1024, 0))).isEqualTo(new Placement.Nowhere(Shortfall.NO_SUCH_MODEL));
        assertThat(inventory.place(new Demand("", 0, 1000, 1024, 0))).isInstanceOf(Placement.OnNode.class);
        assertThat(inventory.allocatable().get("shared")).isEqualTo(new NodeCapacity("shared", "", 0, 32_000, 256 * 1024, Long.MAX_VALUE));
    }

    static Node gpuNode(String name, String product, int gpus, String cpu, String memory) {
        Map<String, Quantity> allocatable = new java.util.HashMap<>(Map.of("cpu", new Quantity(cpu), "memory", new Quantity(memory)));
        Map<String, String> labels = new java.util.HashMap<>();
        if (gpus > 0) {
            allocatable.put(Inventory.GPU_RESOURCE, new Quantity(Integer.toString(gpus)));
            labels.put(Inventory.GPU_PRODUCT_LABEL, product);
        }
        return new NodeBuilder()
                .withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().endSpec()
                .withNewStatus().withAllocatable(allocatable).withCapacity(allocatable)
                .addNewCondition().withType("Ready").withStatus("True").endCondition()
                .endStatus().build();
    }

    static Pod pod(String namespace, String node, String phase, int gpus, String cpu, String memory) {
        return new PodBuilder()
                .withNewMetadata().withName("p-" + namespace).withNamespace(namespace).endMetadata()
                .withNewSpec().withNodeName(node)
                .addNewContainer().withName("main").withImage("cuda")
                .withNewResources()
                .addToLimits(Inventory.GPU_RESOURCE, new Quantity(Integer.toString(gpus)))
                .addToRequests("cpu", new Quantity(cpu)).addToRequests("memory", new Quantity(memory))
                .endResources().endContainer().endSpec()
                .withNewStatus().withPhase(phase).endStatus()
                .build();
    }
}
