package org.openspheron.operator.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GpuModelsTest {
    @ParameterizedTest
    @CsvSource({
            "NVIDIA-A100-SXM4-80GB, A100",
            "NVIDIA-A100-PCIE-40GB, A100",
            "NVIDIA-H100-80GB-HBM3, H100",
            "NVIDIA-H100-NVL, H100",
            "NVIDIA-L40S, L40S",
            "NVIDIA-GeForce-RTX-4090, RTX4090",
            "NVIDIA-RTX-A6000, A6000",
            "NVIDIA-RTX-6000-Ada-Generation, RTX6000ADA",
            "Tesla-T4, T4",
            "h100, H100",
            "a100-80gb, A100",
    })
    void productLabelsAndOrderNamesShareTheirBaseModel(String label, String model) {
        assertThat(GpuModels.normalise(label)).isEqualTo(model);
    }

    @ParameterizedTest
    @CsvSource({
            // product,                  gpu.memory MiB, identity
            "NVIDIA-A100-SXM4-80GB,      81920,          A100-80GB-SXM",
            "NVIDIA-A100-SXM4-40GB,      40960,          A100-40GB-SXM",
            "NVIDIA-A100-PCIE-40GB,      40536,          A100-40GB-PCIE",
            "NVIDIA-A100-80GB-PCIe,      81920,          A100-80GB-PCIE",
            "NVIDIA-H100-80GB-HBM3,      81559,          H100-80GB-SXM",
            "NVIDIA-H100-PCIe,           81559,          H100-80GB-PCIE",
            "NVIDIA-L40S,                46068,          L40S-45GB",
            "NVIDIA-GeForce-RTX-4090,    24564,          RTX4090-24GB",
            "NVIDIA-A100-SXM4-80GB,      ,               A100-80GB-SXM",
    })
    void aNodesIdentityIsItsBaseModelMemoryAndInterface(String product, String memoryMib, String identity) {
        Node node = node(product, 8, memoryMib == null ? Map.of() : Map.of(GpuModels.MEMORY_LABEL, memoryMib));

        GpuModels.NodeGpus gpus = GpuModels.of(node);

        assertThat(gpus.model().name()).isEqualTo(identity);
        assertThat(gpus.whole()).isEqualTo(8);
        assertThat(gpus.notWhole()).isNull();
    }

    @Test
    void migSlicesUnderTheSingleStrategyAreNotSoldAsWholeGpus() {
        // GFD with mig.strategy=single on MIG-enabled A100s: 7 slices per GPU under nvidia.com/gpu.
        Node node = node("NVIDIA-A100-SXM4-40GB-MIG-1g.5gb", 56, Map.of(GpuModels.MIG_STRATEGY_LABEL, "single",
                GpuModels.COUNT_LABEL, "56", GpuModels.MEMORY_LABEL, "4864", GpuModels.MIG_SLICES_LABEL, "1"));

        GpuModels.NodeGpus gpus = GpuModels.of(node);

        assertThat(gpus.whole()).isZero();
        assertThat(gpus.sold()).isFalse();
        assertThat(gpus.notWhole()).startsWith("MIG slices");
    }

    @Test
    void theSingleStrategyLabelAloneIsNotMig() {
        // NVIDIA's GPU Operator labels mig.strategy=single on every node by default, MIG on or off.
        Node node = node("NVIDIA-GeForce-RTX-4090", 2, Map.of(GpuModels.MIG_STRATEGY_LABEL, "single",
                GpuModels.COUNT_LABEL, "2", GpuModels.MEMORY_LABEL, "24564"));

        assertThat(GpuModels.of(node).whole()).isEqualTo(2);
    }

    @Test
    void underTheMixedStrategyTheWholeGpusStillAdvertisedAsNvidiaGpuAreSold() {
        // mixed: slices are nvidia.com/mig-<profile>; nvidia.com/gpu counts only the GPUs with MIG off (2 of 8).
        Node node = node("NVIDIA-A100-SXM4-80GB", 2, Map.of(GpuModels.MIG_STRATEGY_LABEL, "mixed",
                GpuModels.COUNT_LABEL, "8", GpuModels.MEMORY_LABEL, "81920"));

        GpuModels.NodeGpus gpus = GpuModels.of(node);

        assertThat(gpus.whole()).isEqualTo(2);
        assertThat(gpus.model().name()).isEqualTo("A100-80GB-SXM");
    }

    @Test
    void timeSlicedGpusAreNotSoldAsWholeGpus() {
        assertThat(GpuModels.of(node("Tesla-T4-SHARED", 4, Map.of(GpuModels.COUNT_LABEL, "1"))).notWhole())
                .contains("Tesla-T4-SHARED");
        assertThat(GpuModels.of(node("NVIDIA-A100-SXM4-80GB", 16, Map.of(GpuModels.REPLICAS_LABEL, "4",
                GpuModels.COUNT_LABEL, "4"))).notWhole()).contains("nvidia.com/gpu.replicas=4");
        assertThat(GpuModels.of(node("NVIDIA-A100-SXM4-80GB", 4, Map.of(GpuModels.SHARING_LABEL, "mps"))).notWhole())
                .contains("sharing-strategy=mps");
        assertThat(GpuModels.of(node("NVIDIA-A100-SXM4-80GB", 4, Map.of(GpuModels.SHARING_LABEL, "none",
                GpuModels.REPLICAS_LABEL, "1"))).whole()).isEqualTo(4);
    }

    @Test
    void moreAdvertisedThanTheNodeHasGpusIsNotWhole() {
        // Replicas without GFD's labels still show: nvidia.com/gpu above gpu.count.
        assertThat(GpuModels.of(node("NVIDIA-L40S", 8, Map.of(GpuModels.COUNT_LABEL, "2"))).whole()).isZero();
    }

    @Test
    void affinityListsTheProductsOfNodesThatServeTheRequirementWhole() {
        var nodes = List.of(
                node("a80", "NVIDIA-A100-SXM4-80GB", 8, Map.of(GpuModels.MEMORY_LABEL, "81920")),
                node("a40", "NVIDIA-A100-PCIE-40GB", 8, Map.of(GpuModels.MEMORY_LABEL, "40960")),
                node("mig", "NVIDIA-A100-SXM4-40GB-MIG-1g.5gb", 56, Map.of(GpuModels.MEMORY_LABEL, "4864")),
                node("h", "NVIDIA-H100-80GB-HBM3", 8, Map.of(GpuModels.MEMORY_LABEL, "81559")),
                node("hp", "NVIDIA-H100-PCIe", 2, Map.of(GpuModels.MEMORY_LABEL, "81559")));

        assertThat(GpuModels.productLabels("A100", nodes)).containsExactly("NVIDIA-A100-PCIE-40GB", "NVIDIA-A100-SXM4-80GB");
        assertThat(GpuModels.productLabels("A100-80GB", nodes)).containsExactly("NVIDIA-A100-SXM4-80GB");
        assertThat(GpuModels.productLabels("a100-40gb", nodes)).containsExactly("NVIDIA-A100-PCIE-40GB", "NVIDIA-A100-SXM4-80GB");
        assertThat(GpuModels.productLabels("H100-SXM", nodes)).containsExactly("NVIDIA-H100-80GB-HBM3");
        assertThat(GpuModels.productLabels("H100-PCIe", nodes)).containsExactly("NVIDIA-H100-PCIe");
        assertThat(GpuModels.productLabels("B200", nodes)).isEmpty();
        // No model named: any whole GPU, never a MIG slice.
        assertThat(GpuModels.productLabels("", nodes)).doesNotContain("NVIDIA-A100-SXM4-40GB-MIG-1g.5gb").hasSize(4);
    }

    @Test
    void affinityListsOnlyTheAskedModelNeverANeighbourWithALongerName() {
        var nodes = List.of(
                InventoryTest.gpuNode("a10", "NVIDIA-A10", 1, "16", "64Gi"),
                InventoryTest.gpuNode("a100", "NVIDIA-A100-SXM4-80GB", 8, "64", "512Gi"),
                InventoryTest.gpuNode("rtx", "NVIDIA-GeForce-RTX-4090", 2, "32", "128Gi"));

        assertThat(GpuModels.productLabels("A10", nodes)).containsExactly("NVIDIA-A10");
        assertThat(GpuModels.productLabels("a100", nodes)).containsExactly("NVIDIA-A100-SXM4-80GB");
        // What manifests write ("rtx4090", "RTX 4090") must select the node the bid engine counted.
        assertThat(GpuModels.productLabels("rtx4090", nodes)).containsExactly("NVIDIA-GeForce-RTX-4090");
        assertThat(GpuModels.productLabels("RTX 4090", nodes)).containsExactly("NVIDIA-GeForce-RTX-4090");
    }

    private static Node node(String product, int gpus, Map<String, String> labels) {
        return node("n", product, gpus, labels);
    }

    static Node node(String name, String product, int gpus, Map<String, String> labels) {
        Node node = InventoryTest.gpuNode(name, product, gpus, "64", "512Gi");
        return new NodeBuilder(node).editMetadata().addToLabels(labels).endMetadata().build();
    }
}
