package org.openspheron.operator.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which nodes count for which orders, by their taints and the operator's tolerations; pure, no cluster. */
class PodTolerationsTest {
    @Test
    void aGpuPoolTaintKeepsOrdersWithoutGpusOffButNotGpuOrders() {
        Node pool = node("gpu-pool", "nvidia.com/gpu", "present", "NoSchedule");

        Inventory inventory = Inventory.of(List.of(pool), List.of(), PodTolerations.DEFAULT);

        assertThat(inventory.place(new Demand("H100", 1, 1000, 1024, 0))).isEqualTo(new Placement.OnNode("gpu-pool"));
        assertThat(inventory.place(new Demand("", 0, 1000, 1024, 0))).isEqualTo(new Placement.Nowhere(Shortfall.NO_SUCH_MODEL));
        assertThat(inventory.gpuOffers()).singleElement().satisfies(o -> assertThat(o.total()).isEqualTo(8));
    }

    @Test
    void aTaintNoPodToleratesHidesTheNodeUntilTheProviderToleratesIt() {
        Node reserved = node("reserved", "dedicated", "training", "NoExecute");

        assertThat(Inventory.of(List.of(reserved), List.of(), PodTolerations.DEFAULT).gpuOffers()).isEmpty();
        assertThat(Inventory.of(List.of(reserved), List.of(), PodTolerations.of(List.of("dedicated=other"))).gpuOffers()).isEmpty();
        assertThat(Inventory.of(List.of(reserved), List.of(), PodTolerations.of(List.of("dedicated=training"))).gpuOffers()).hasSize(1);
        assertThat(Inventory.of(List.of(reserved), List.of(), PodTolerations.of(List.of("dedicated:NoExecute"))).gpuOffers()).hasSize(1);
        assertThat(Inventory.of(List.of(reserved), List.of(), PodTolerations.of(List.of("dedicated:NoSchedule"))).gpuOffers()).isEmpty();
    }

    @Test
    void aPreferNoScheduleTaintKeepsNothingOff() {
        Node preferred = node("soft", "spot", "true", "PreferNoSchedule");

        assertThat(Inventory.of(List.of(preferred), List.of(), PodTolerations.DEFAULT)
                .place(new Demand("", 0, 1000, 1024, 0))).isEqualTo(new Placement.OnNode("soft"));
    }

    @Test
    void podsGetTheGpuTolerationOnlyWithGpusAndTheProvidersEverywhere() {
        PodTolerations tolerations = PodTolerations.of(List.of("dedicated=training:NoSchedule", "spot"));

        assertThat(tolerations.forPods(true)).extracting(t -> t.getKey() + "/" + t.getOperator() + "/" + t.getEffect())
                .containsExactly("nvidia.com/gpu/Exists/NoSchedule", "dedicated/Equal/NoSchedule", "spot/Exists/null");
        assertThat(tolerations.forPods(false)).extracting(t -> t.getKey()).containsExactly("dedicated", "spot");
    }

    @Test
    void aMalformedSettingIsRefusedByName() {
        assertThatThrownBy(() -> PodTolerations.of(List.of("dedicated=training:Sometimes")))
                .hasMessageContaining("'dedicated=training:Sometimes'").hasMessageContaining("NoSchedule");
        assertThatThrownBy(() -> PodTolerations.of(List.of("a b"))).hasMessageContaining("'a b'");
    }

    private static Node node(String name, String taintKey, String taintValue, String effect) {
        return new NodeBuilder().withNewMetadata().withName(name).addToLabels("nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3")
                .endMetadata()
                .withNewSpec().addNewTaint().withKey(taintKey).withValue(taintValue).withEffect(effect).endTaint().endSpec()
                .withNewStatus().addToAllocatable("nvidia.com/gpu", new Quantity("8")).addToAllocatable("cpu", new Quantity("32"))
                .addToAllocatable("memory", new Quantity("256Gi"))
                .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
                .build();
    }
}
