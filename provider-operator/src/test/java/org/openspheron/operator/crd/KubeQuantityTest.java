package org.openspheron.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** Canonical forms as the API server writes them back (seen on Kubernetes 1.20, see GPUDeploymentReconcilerTest). */
class KubeQuantityTest {
    @Test
    void cpuIsWholeCoresWhenItCanBeAndMillicoresOtherwise() {
        assertThat(KubeQuantity.cpu(2000)).hasToString("2");
        assertThat(KubeQuantity.cpu(1500)).hasToString("1500m");
        assertThat(KubeQuantity.cpu(250)).hasToString("250m");
        assertThat(KubeQuantity.cpu(1_024_000)).hasToString("1024");
        assertThat(KubeQuantity.cpu(2_000_000)).hasToString("2k");
        assertThat(KubeQuantity.cpu(0)).hasToString("0");
    }

    @Test
    void bytesTakeTheLargestPowerOf1024ThatKeepsThemWhole() {
        assertThat(KubeQuantity.mebibytes(16_384)).hasToString("16Gi");
        assertThat(KubeQuantity.mebibytes(1536)).hasToString("1536Mi");
        assertThat(KubeQuantity.mebibytes(1024L * 1024)).hasToString("1Ti");
        assertThat(KubeQuantity.mebibytes(0)).hasToString("0");
        assertThat(KubeQuantity.bytes(1000)).isEqualTo("1000");
        assertThat(KubeQuantity.bytes(1500)).isEqualTo("1500");
    }

    @Test
    void countsAreDecimal() {
        assertThat(KubeQuantity.count(1)).hasToString("1");
        assertThat(KubeQuantity.count(16)).hasToString("16");
        assertThat(KubeQuantity.count(1000)).hasToString("1k");
    }

    @Test
    void theCanonicalFormIsTheSameAmount() {
        for (long milli : new long[]{1, 999, 1000, 4000, 123_456, 64_000_000}) {
            assertThat(KubeQuantity.cpu(milli).getNumericalAmount())
                    .isEqualByComparingTo(BigDecimal.valueOf(milli).movePointLeft(3));
        }
        for (long mib : new long[]{1, 1023, 1024, 20_480, 16_384 * 3, 64L * 1024 * 1024}) {
            assertThat(KubeQuantity.mebibytes(mib)).isEqualTo(new Quantity(mib + "Mi"));
        }
    }

    @Test
    void aNegativeQuantityIsRefused() {
        assertThatThrownBy(() -> KubeQuantity.cpu(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
