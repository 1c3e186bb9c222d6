package org.openspheron.operator.bidding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.OrderSpec;

class PricingPolicyTest {
    private static final String HASH = "0x" + "ab".repeat(32);

    private static OrderSpec order(int gpus, String model, long cpuMilli, long memoryMb) {
        return new OrderSpec(cpuMilli, memoryMb, 0, gpus, model, "", "", false, BigInteger.TEN.pow(9), 3600, HASH);
    }

    @Test
    void priceIsGpusPlusCpuPlusMemoryInSixDecimalBaseUnits() {
        PricingPolicy policy = new PricingPolicy(Map.of("H100", new BigDecimal("2.50")), new BigDecimal("0.02"),
                new BigDecimal("0.005"), BigDecimal.ZERO);

        // 2 x 2.50 + 4 cores x 0.02 + 16 GiB x 0.005 = 5.16 tokens
        assertThat(policy.pricePerHour(order(2, "NVIDIA-H100-80GB-HBM3", 4000, 16_384))).contains(BigInteger.valueOf(5_160_000));
    }

    @Test
    void marginMarksUpAndRoundsUpToTheNextBaseUnit() {
        PricingPolicy policy = new PricingPolicy(Map.of("a100", new BigDecimal("1.000001")), BigDecimal.ZERO,
                BigDecimal.ZERO, new BigDecimal("0.5"));

        assertThat(policy.pricePerHour(order(1, "A100", 1000, 1024))).contains(BigInteger.valueOf(1_500_002));
    }

    @Test
    void aModelWithoutAPriceIsNotPriced() {
        PricingPolicy policy = new PricingPolicy(Map.of("H100", BigDecimal.ONE), BigDecimal.ONE, BigDecimal.ONE, BigDecimal.ZERO);

        assertThat(policy.pricePerHour(order(1, "L40S", 1000, 1024))).isEmpty();
        assertThat(policy.pricePerHour(order(0, "", 1000, 1024))).contains(BigInteger.valueOf(2_000_000));
    }

    @Test
    void negativeRatesAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> new PricingPolicy(Map.of(), new BigDecimal("-1"), BigDecimal.ONE, BigDecimal.ZERO))
                .hasMessageContaining("spheron.pricing.cpu-per-core-hour");
    }
}
