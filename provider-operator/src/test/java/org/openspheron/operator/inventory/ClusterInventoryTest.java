package org.openspheron.operator.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

/** What counts as a node change for the inventory's listeners; pure, no cluster. */
class ClusterInventoryTest {
    @Test
    void aKubeletHeartbeatIsNotAChange() {
        Node before = node("2026-12-04T18:00:00Z", "True", "8");
        Node after = node("2026-12-04T18:00:10Z", "True", "8");
        after.getMetadata().setResourceVersion("1001");

        assertThat(ClusterInventory.placementView(after)).isEqualTo(ClusterInventory.placementView(before));
    }

    @Test
    void readinessAllocatableLabelsTaintsAndCordonAreChanges() {
        Node base = node("2026-12-04T18:00:00Z", "True", "8");
        Object view = ClusterInventory.placementView(base);

        assertThat(ClusterInventory.placementView(node("2026-12-04T18:00:00Z", "False", "8"))).isNotEqualTo(view);
        assertThat(ClusterInventory.placementView(node("2026-12-04T18:00:00Z", "True", "7"))).isNotEqualTo(view);
        Node relabelled = node("2026-12-04T18:00:00Z", "True", "8");
        relabelled.getMetadata().getLabels().put("nvidia.com/gpu.product", "NVIDIA-H100-PCIe");
        assertThat(ClusterInventory.placementView(relabelled)).isNotEqualTo(view);
        Node tainted = new NodeBuilder(base).editSpec().addNewTaint().withKey("nvidia.com/gpu").withEffect("NoSchedule")
                .endTaint().endSpec().build();
        assertThat(ClusterInventory.placementView(tainted)).isNotEqualTo(view);
        Node cordoned = new NodeBuilder(base).editSpec().withUnschedulable(true).endSpec().build();
        assertThat(ClusterInventory.placementView(cordoned)).isNotEqualTo(view);
    }

    private static Node node(String heartbeat, String ready, String gpus) {
        return new NodeBuilder().withNewMetadata().withName("gpu-a").withResourceVersion("1000")
                .addToLabels("nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3").endMetadata()
                .withNewSpec().endSpec()
                .withNewStatus().addToAllocatable("nvidia.com/gpu", new Quantity(gpus))
                .addNewCondition().withType("Ready").withStatus(ready).withLastHeartbeatTime(heartbeat).endCondition()
                .endStatus().build();
    }
}
