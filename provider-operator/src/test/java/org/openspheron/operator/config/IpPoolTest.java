package org.openspheron.operator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IpPoolTest {
    @Test
    void addressesCidrsAndRangesAddUpInTheOrderGivenEachOnce() {
        IpPool pool = IpPool.parse(List.of("203.0.113.9", "203.0.113.8/30", " 203.0.113.11-203.0.113.13 "));

        assertThat(pool.addresses()).containsExactly("203.0.113.9", "203.0.113.8", "203.0.113.10", "203.0.113.11",
                "203.0.113.12", "203.0.113.13");
        assertThat(pool.size()).isEqualTo(6);
        assertThat(pool.addresses().contains("203.0.113.12")).isTrue();
        assertThat(pool.addresses().contains("203.0.113.14")).isFalse();
    }

    @Test
    void aCidrStartsAtItsNetworkWhateverAddressItIsWrittenWith() {
        assertThat(IpPool.parse(List.of("198.51.100.7/31")).addresses()).containsExactly("198.51.100.6", "198.51.100.7");
        assertThat(IpPool.parse(List.of("2001:db8::/126")).addresses()).containsExactly("2001:db8:0:0:0:0:0:0",
                "2001:db8:0:0:0:0:0:1", "2001:db8:0:0:0:0:0:2", "2001:db8:0:0:0:0:0:3");
    }

    @Test
    void unsetIsEmpty() {
        assertThat(IpPool.parse(Optional.empty()).size()).isZero();
    }

    @Test
    void whatIsNotAnAddressIsRefusedNamingTheSettingAndNeverResolved() {
        for (String bad : List.of("pool.example.com", "203.0.113.0/33", "203.0.113.300", "10.0.0.9-10.0.0.1",
                "10.0.0.1-2001:db8::1", "10.0.0.0/x")) {
            assertThatThrownBy(() -> IpPool.parse(List.of(bad))).as(bad).isInstanceOf(SettingsException.class)
                    .hasMessageContaining("spheron.operator.ip-pool");
        }
    }

    @Test
    void aPoolPastItsBoundIsRefusedBeforeItIsListed() {
        assertThatThrownBy(() -> IpPool.parse(List.of("10.0.0.0/8"))).isInstanceOf(SettingsException.class)
                .hasMessageContaining("more than 65536");
    }
}
