package org.openspheron.operator.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class GpuProductsTest {
    private static Node node(String product) {
        return new NodeBuilder().withNewMetadata().withName(product.toLowerCase())
                .addToLabels("nvidia.com/gpu.product", product).endMetadata().build();
    }

    private static final List<Node> NODES = List.of(node("NVIDIA-H100-80GB-HBM3"), node("NVIDIA-H100-PCIe"),
            node("NVIDIA-A100-SXM4-80GB"), node("NVIDIA-A10"), node("NVIDIA-GeForce-RTX-4090"),
            new NodeBuilder().withNewMetadata().withName("cpu-only").endMetadata().build());

    @Test
    void aModelSelectsEveryProductVariantOfIt() {
        assertThat(GpuProducts.matching("H100", NODES)).containsExactly("NVIDIA-H100-80GB-HBM3", "NVIDIA-H100-PCIe");
    }

    @Test
    void matchingIsCaseInsensitiveAndOnWholeWords() {
        assertThat(GpuProducts.matching("a100", NODES)).containsExactly("NVIDIA-A100-SXM4-80GB");
        assertThat(GpuProducts.matching("A10", NODES)).containsExactly("NVIDIA-A10");
        assertThat(GpuProducts.matching("RTX 4090", NODES)).containsExactly("NVIDIA-GeForce-RTX-4090");
        assertThat(GpuProducts.matching("h100-pcie", NODES)).containsExactly("NVIDIA-H100-PCIe");
    }

    @Test
    void aModelNoNodeHasMatchesNothing() {
        assertThat(GpuProducts.matching("B200", NODES)).isEmpty();
        assertThat(GpuProducts.matching("", NODES)).isEmpty();
    }
}
