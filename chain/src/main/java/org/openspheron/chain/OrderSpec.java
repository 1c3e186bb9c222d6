package org.openspheron.chain;

import java.math.BigInteger;

/**
 * What a tenant asks for in an order. Prices are payment-token base units (six decimals) per hour.
 *
 * @param manifestHash the deployment manifest's canonical hash, 0x-prefixed hex of 32 bytes
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
        String manifestHash) {

    public OrderSpec {
        gpuModel = gpuModel == null ? "" : gpuModel;
        region = region == null ? "" : region;
        zone = zone == null ? "" : zone;
        if (manifestHash == null || !manifestHash.matches("0x[0-9a-fA-F]{64}")) {
            throw new IllegalArgumentException("manifestHash must be 32 bytes of 0x-prefixed hex: " + manifestHash);
        }
    }
}
