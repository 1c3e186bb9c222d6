package org.openspheron.operator.bidding;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.openspheron.chain.OrderFeatures;
import org.openspheron.chain.OrderSpec;
import org.openspheron.operator.config.PricingSettings;
import org.openspheron.operator.inventory.GpuModels;

/**
 * The provider's price for an order: GPUs at the model's hourly rate, plus CPU per core-hour, memory per
 * GiB-hour and each leased IP address per hour, marked up by the margin, in payment-token base units (six decimals) per hour, rounded up so the
 * provider never sells below its own rates. Rates are whole tokens as configured ("2.50").
 */
public final class PricingPolicy {
    private static final int TOKEN_DECIMALS = 6;
    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);
    private static final BigDecimal MIB_PER_GIB = BigDecimal.valueOf(1024);

    private final Map<String, BigDecimal> gpuPerHour;
    private final BigDecimal cpuPerCoreHour;
    private final BigDecimal memoryPerGibHour;
    private final BigDecimal leasedIpPerHour;
    private final BigDecimal margin;

    /** Leased IPs at no charge: for tests of the other rates. */
    public PricingPolicy(Map<String, BigDecimal> gpuPerHour, BigDecimal cpuPerCoreHour, BigDecimal memoryPerGibHour,
                         BigDecimal margin) {
        this(gpuPerHour, cpuPerCoreHour, memoryPerGibHour, BigDecimal.ZERO, margin);
    }

    public PricingPolicy(Map<String, BigDecimal> gpuPerHour, BigDecimal cpuPerCoreHour, BigDecimal memoryPerGibHour,
                         BigDecimal leasedIpPerHour, BigDecimal margin) {
        this.gpuPerHour = new HashMap<>();
        gpuPerHour.forEach((model, price) -> {
            requireNotNegative("spheron.pricing.gpu." + model, price);
            this.gpuPerHour.put(GpuModels.normalise(model), price);
        });
        this.cpuPerCoreHour = requireNotNegative("spheron.pricing.cpu-per-core-hour", cpuPerCoreHour);
        this.memoryPerGibHour = requireNotNegative("spheron.pricing.memory-per-gib-hour", memoryPerGibHour);
        this.leasedIpPerHour = requireNotNegative("spheron.pricing.leased-ip-per-hour", leasedIpPerHour);
        this.margin = requireNotNegative("spheron.pricing.min-margin", margin);
    }

    public static PricingPolicy of(PricingSettings settings) {
        return new PricingPolicy(settings.gpu(), settings.cpuPerCoreHour(), settings.memoryPerGibHour(),
                settings.leasedIpPerHour(), settings.minMargin());
    }

    /** The price per hour in token base units, or empty when the order's GPU model has no price. */
    public Optional<BigInteger> pricePerHour(OrderSpec spec) {
        BigDecimal gpus = BigDecimal.ZERO;
        if (spec.gpuCount() > 0) {
            BigDecimal rate = gpuPerHour.get(GpuModels.normalise(spec.gpuModel()));
            if (rate == null) {
                return Optional.empty();
            }
            gpus = rate.multiply(BigDecimal.valueOf(spec.gpuCount()));
        }
        BigDecimal cpu = cpuPerCoreHour.multiply(BigDecimal.valueOf(spec.cpuMilli())).divide(THOUSAND);
        BigDecimal memory = memoryPerGibHour.multiply(BigDecimal.valueOf(spec.memoryMb()))
                .divide(MIB_PER_GIB, 12, RoundingMode.CEILING);
        BigDecimal ips = leasedIpPerHour.multiply(BigDecimal.valueOf(OrderFeatures.leasedIps(spec.features())));
        BigDecimal tokens = gpus.add(cpu).add(memory).add(ips).multiply(BigDecimal.ONE.add(margin));
        BigInteger units = tokens.movePointRight(TOKEN_DECIMALS).setScale(0, RoundingMode.CEILING).toBigIntegerExact();
        return Optional.of(units.max(BigInteger.ONE));
    }

    private static BigDecimal requireNotNegative(String key, BigDecimal value) {
        if (value == null || value.signum() < 0) {
            throw new IllegalArgumentException(key + " must be zero or more, not " + value);
        }
        return value;
    }
}
