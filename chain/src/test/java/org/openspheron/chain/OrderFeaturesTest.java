package org.openspheron.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class OrderFeaturesTest {
    @Test
    void theLeasedIpCountSitsInBitsEightToFifteenBesideTheOtherFeatures() {
        long features = OrderFeatures.ofLeasedIps(3) | OrderFeatures.ofTeeTypes(List.of("tdx"))
                | OrderFeatures.ofStorageClasses(List.of("beta3"));

        assertThat(features & 0xFF00).isEqualTo(3 << 8);
        assertThat(OrderFeatures.leasedIps(features)).isEqualTo(3);
        assertThat(OrderFeatures.teeTypes(features)).containsExactly("tdx");
        assertThat(OrderFeatures.storageClasses(features)).containsExactly("beta3");
        assertThat(OrderFeatures.unknown(features)).isZero();
        assertThat(OrderFeatures.describe(features)).isEqualTo("storage beta3; TEE tdx; 3 leased IPs");
        assertThat(OrderFeatures.describe(OrderFeatures.ofLeasedIps(1))).isEqualTo("1 leased IP");
    }

    @Test
    void theCountIsBoundedByItsEightBits() {
        assertThat(OrderFeatures.leasedIps(OrderFeatures.ofLeasedIps(255))).isEqualTo(255);
        assertThat(OrderFeatures.leasedIps(OrderFeatures.NONE)).isZero();
        assertThatThrownBy(() -> OrderFeatures.ofLeasedIps(256)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0 to 255");
        assertThatThrownBy(() -> OrderFeatures.ofLeasedIps(-1)).isInstanceOf(IllegalArgumentException.class);
        // Bit 16 is a later version's: unknown here, so a provider does not bid on it.
        assertThat(OrderFeatures.unknown(1L << 16)).isEqualTo(1L << 16);
    }
}
