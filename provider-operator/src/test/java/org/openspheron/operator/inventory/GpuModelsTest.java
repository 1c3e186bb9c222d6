package org.openspheron.operator.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GpuModelsTest {
    @ParameterizedTest
    @CsvSource({
            "NVIDIA-A100-SXM4-80GB, A100",
            "NVIDIA-A100-PCIE-40GB, A100",
            "NVIDIA-H100-80GB-HBM3, H100",
            "NVIDIA-H100-NVL, H100",
            "NVIDIA-H100-PCIe, H100",
            "NVIDIA-L40S, L40S",
            "NVIDIA-GeForce-RTX-4090, RTX4090",
            "NVIDIA-RTX-A6000, A6000",
            "NVIDIA-RTX-6000-Ada-Generation, RTX6000ADA",
            "Tesla-T4, T4",
            "NVIDIA-A10G, A10G",
            "h100, H100",
            "rtx4090, RTX4090",
    })
    void productLabelsAndOrderNamesBecomeTheSameModelToken(String label, String model) {
        assertThat(GpuModels.normalise(label)).isEqualTo(model);
    }

    @ParameterizedTest
    @CsvSource({"NVIDIA-A100-SXM4-80GB, a100, true", "NVIDIA-A10G, A100, false", "NVIDIA-H100-80GB-HBM3, NVIDIA-H100, true"})
    void aNodeLabelServesAnOrderOnlyForItsOwnModel(String label, String order, boolean same) {
        assertThat(GpuModels.same(label, order)).isEqualTo(same);
    }

    @org.junit.jupiter.api.Test
    void theProductLabelsOfAModelAreWhatNodeAffinityLists() {
        var nodes = java.util.List.of(
                InventoryTest.gpuNode("a", "NVIDIA-H100-80GB-HBM3", 8, "64", "512Gi"),
                InventoryTest.gpuNode("b", "NVIDIA-H100-NVL", 2, "64", "512Gi"),
                InventoryTest.gpuNode("c", "NVIDIA-A100-SXM4-80GB", 8, "64", "512Gi"),
                InventoryTest.gpuNode("d", null, 0, "8", "32Gi"));

        assertThat(GpuModels.productLabels("h100", nodes)).containsExactly("NVIDIA-H100-80GB-HBM3", "NVIDIA-H100-NVL");
    }

    @org.junit.jupiter.api.Test
    void affinityListsOnlyTheAskedModelNeverANeighbourWithALongerName() {
        var nodes = java.util.List.of(
                InventoryTest.gpuNode("a10", "NVIDIA-A10", 1, "16", "64Gi"),
                InventoryTest.gpuNode("a100", "NVIDIA-A100-SXM4-80GB", 8, "64", "512Gi"),
                InventoryTest.gpuNode("rtx", "NVIDIA-GeForce-RTX-4090", 2, "32", "128Gi"));

        assertThat(GpuModels.productLabels("A10", nodes)).containsExactly("NVIDIA-A10");
        assertThat(GpuModels.productLabels("a100", nodes)).containsExactly("NVIDIA-A100-SXM4-80GB");
        // What manifests write ("rtx4090", "RTX 4090") must select the node the bid engine counted.
        assertThat(GpuModels.productLabels("rtx4090", nodes)).containsExactly("NVIDIA-GeForce-RTX-4090");
        assertThat(GpuModels.productLabels("RTX 4090", nodes)).containsExactly("NVIDIA-GeForce-RTX-4090");
        assertThat(GpuModels.productLabels("B200", nodes)).isEmpty();
        assertThat(GpuModels.productLabels("", nodes)).isEmpty();
    }
}
