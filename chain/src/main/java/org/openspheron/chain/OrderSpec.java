package org.openspheron.chain;

import java.math.BigInteger;

/**
 * What a tenant asks for in an order. Prices are payment-token base units (six decimals) per hour.
 *
 * @param manifestHash the deployment manifest's canonical hash, 0x-prefixed hex of 32 bytes
 * @param features what the order needs that some providers lack, as {@link OrderFeatures} bits
 */
public record OrderSpec(
        long cpuMilli,
        long memoryMb,
        long storageMb,
        int gpuCount,
        String gpuModel,
        String region,
        String zone,
        boolean regionRequired,
        BigInteger maxPricePerHour,
        long durationSeconds,
        String manifestHash,
        long features) {

    /** An order that needs no {@link OrderFeatures feature}. */
    public OrderSpec(long cpuMilli, long memoryMb, long storageMb, int gpuCount, String gpuModel, String region,
                     String zone, boolean regionRequired, BigInteger maxPricePerHour, long durationSeconds,
                     String manifestHash) {
        this(cpuMilli, memoryMb, storageMb, gpuCount, gpuModel, region, zone, regionRequired, maxPricePerHour,
                durationSeconds, manifestHash, OrderFeatures.NONE);
    }

    public OrderSpec {
        gpuModel = gpuModel == null ? "" : gpuModel;
        region = region == null ? "" : region;
        zone = zone == null ? "" : zone;
        if (manifestHash == null || !manifestHash.matches("0x[0-9a-fA-F]{64}")) {
            throw new IllegalArgumentException("manifestHash must be 32 bytes of 0x-prefixed hex: " + manifestHash);
        }
        if (features < 0 || features > OrderFeatures.MAX) {
            throw new IllegalArgumentException("features must fit in 32 bits: " + features);
        }
    }
}
