package org.openspheron.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GpuRequirementTest {
    @ParameterizedTest
    @CsvSource({
            "h100, , , h100",
            "a100, 80Gi, , a100-80GB",
            "a100, 40G, , a100-40GB",
            "h100, 80Gi, sxm, h100-80GB-sxm",
            "h100, , pcie, h100-pcie",
            ", 80Gi, , ''",
    })
    void akashRamAndInterfaceBecomePartOfTheOrdersModel(String model, String ram, String iface, String ordered) {
        assertThat(new GpuRequirement("nvidia", model, ram, iface).orderModel()).isEqualTo(ordered);
    }
}
