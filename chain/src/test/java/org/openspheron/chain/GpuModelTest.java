package org.openspheron.chain;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GpuModelTest {
    @ParameterizedTest
    @CsvSource({
            "NVIDIA-A100-SXM4-80GB, A100-80GB-SXM",
            "NVIDIA-A100-SXM4-40GB, A100-40GB-SXM",
            "NVIDIA-A100-PCIE-40GB, A100-40GB-PCIE",
            "NVIDIA-A100-80GB-PCIe, A100-80GB-PCIE",
            "NVIDIA-H100-80GB-HBM3, H100-80GB-SXM",
            "NVIDIA-H100-PCIe, H100-PCIE",
            "NVIDIA-H100-NVL, H100-PCIE",
            "NVIDIA-L40S, L40S",
            "NVIDIA-GeForce-RTX-4090, RTX4090",
            "NVIDIA-RTX-A6000, A6000",
            "NVIDIA-RTX-6000-Ada-Generation, RTX6000ADA",
            "Tesla-T4, T4",
            "NVIDIA-A100-SXM4-40GB-MIG-1g.5gb, A100-40GB-SXM",
            "Tesla-T4-SHARED, T4",
            "a100, A100",
            "a100-80gb, A100-80GB",
            "A100 80G, A100-80GB",
            "h100 sxm, H100-SXM",
            "h100-80Gi-sxm, H100-80GB-SXM",
    })
    void productLabelsAndOrderNamesReadAsOneGrammar(String text, String canonical) {
        assertThat(GpuModel.parse(text).name()).isEqualTo(canonical);
        assertThat(GpuModel.parse(canonical)).isEqualTo(GpuModel.parse(text));
    }

    @Test
    void blankNamesAreTheEmptyModel() {
        assertThat(GpuModel.parse(null).isEmpty()).isTrue();
        assertThat(GpuModel.parse("  ").name()).isEmpty();
        assertThat(GpuModel.parse("NVIDIA").isEmpty()).isTrue();
    }

    @ParameterizedTest
    @CsvSource({
            // identity,               requirement, served
            "A100-80GB-SXM,            A100,        true",
            "A100-80GB-SXM,            A100-80GB,   true",
            "A100-80GB-SXM,            A100-40GB,   true",
            "A100-80GB-SXM,            A100-SXM,    true",
            "A100-40GB-SXM,            A100-80GB,   false",
            "A100-80GB-PCIE,           A100-SXM,    false",
            "A100,                     A100-80GB,   false",
            "A100,                     A100-SXM,    false",
            "H100-80GB-SXM,            H100-SXM,    true",
            "H100-PCIE,                H100-SXM,    false",
            "A10,                      A100,        false",
            "A100-80GB-SXM,            H100,        false",
            "L40S-45GB,                L40S-48GB,   true",
            "RTX4090-24GB,             RTX4090-32GB, false",
    })
    void aBiggerOrMoreSpecificGpuServesALessSpecificRequirementNotTheOtherWayRound(String identity, String requirement,
            boolean served) {
        assertThat(GpuModel.parse(identity).satisfies(GpuModel.parse(requirement))).isEqualTo(served);
    }

    @Test
    void nothingServesTheEmptyRequirement() {
        assertThat(GpuModel.parse("A100-80GB-SXM").satisfies(GpuModel.parse(""))).isFalse();
    }

    @Test
    void aRequirementImpliesTheLessSpecificOnesOfItsModel() {
        assertThat(GpuModel.parse("A100-80GB").implies(GpuModel.parse("A100"))).isTrue();
        assertThat(GpuModel.parse("A100-80GB").implies(GpuModel.parse("A100-40GB"))).isTrue();
        assertThat(GpuModel.parse("A100").implies(GpuModel.parse("A100-80GB"))).isFalse();
        assertThat(GpuModel.parse("A100-80GB").implies(GpuModel.parse("A100-SXM"))).isFalse();
        assertThat(GpuModel.parse("H100-SXM").implies(GpuModel.parse("H100"))).isTrue();
    }

    @Test
    void aProvidersFreeGpusAreCountedPerBaseModelWhateverTheOrderAdds() {
        Provider provider = new Provider("0x1", "eu", "", "https://gw", BigInteger.ONE, BigInteger.ONE, BigInteger.ZERO, 0,
                1, 0, 0, 0, 0, 0, BigInteger.ZERO, 0, 10_000, true,
                List.of(new GpuOffer("A100", 8, 3), new GpuOffer("H100", 2, 2)));

        assertThat(provider.availableGpus("A100")).isEqualTo(3);
        assertThat(provider.availableGpus("a100-80GB")).isEqualTo(3);
        assertThat(provider.availableGpus("NVIDIA-H100-80GB-HBM3")).isEqualTo(2);
        assertThat(provider.availableGpus("A10")).isZero();
        assertThat(provider.availableGpus("")).isZero();
    }
}
