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

    /**
     * Review: leased IPs were free, so one order asking for every address of the pool (bits 8-15, up to 255) with a
     * minimal CPU won at the price of that CPU and kept every other tenant's leased-IP order from getting a bid for
     * its whole duration. Each address is priced now.
     */
    @Test
    void lockingUpTheIpPoolCostsEveryAddressItHolds() {
        PricingPolicy policy = new PricingPolicy(Map.of(), new BigDecimal("0.01"), BigDecimal.ZERO,
                new BigDecimal("0.05"), BigDecimal.ZERO);
        OrderSpec oneCpu = order(0, "", 1000, 0);
        OrderSpec wholePool = new OrderSpec(1000, 0, 0, 0, "", "", "", false, BigInteger.TEN.pow(9), 3600, HASH,
                org.openspheron.chain.OrderFeatures.ofLeasedIps(255));

        assertThat(policy.pricePerHour(oneCpu)).contains(BigInteger.valueOf(10_000));
        // 0.01 + 255 x 0.05 = 12.76 tokens an hour
        assertThat(policy.pricePerHour(wholePool)).contains(BigInteger.valueOf(12_760_000));
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
