package org.openspheron.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.math.BigDecimal;
import java.util.Map;

/**
 * The provider's prices, in whole payment tokens (decimals allowed, e.g. {@code 2.50}) per hour. A GPU model
 * without a price is never bid on.
 */
@ConfigMapping(prefix = "spheron.pricing")
public interface PricingSettings {
    /** Per GPU-hour by model token, e.g. {@code spheron.pricing.gpu.H100=2.50}. */
    Map<String, BigDecimal> gpu();

    @WithDefault("0.01")
    BigDecimal cpuPerCoreHour();

    @WithDefault("0.005")
    BigDecimal memoryPerGibHour();

    /**
     * Per leased IP address and hour (Akash SDL {@code ip} endpoints): an address held for a lease is withheld from
     * every other tenant, so an order asking for many pays for them, and none locks the pool up for the price of
     * a CPU.
     */
    @WithDefault("0.05")
    BigDecimal leasedIpPerHour();

    /** Markup on the sum above, as a fraction ({@code 0.1} = 10%). */
    @WithDefault("0")
    BigDecimal minMargin();
}
