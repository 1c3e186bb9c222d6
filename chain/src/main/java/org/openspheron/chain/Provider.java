package org.openspheron.chain;

import java.math.BigInteger;
import java.util.List;

/**
 * A provider's record in the registry, with what is derived from it on chain: uptime from heartbeats, the stake
 * that counts, and eligibility to bid. {@code servedSeconds} is the service its tenants paid for over its finished
 * leases, what reputation counts ({@code leasesCompleted} counts leases however short).
 */
public record Provider(
        String address,
        String region,
        String zone,
        String gatewayUrl,
        BigInteger stake,
        BigInteger effectiveStake,
        BigInteger unstakeAmount,
        long unstakeReadyBlock,
        long registeredBlock,
        long leasesCompleted,
        long leasesFailed,
        long servedSeconds,
        int slashCount,
        long lastSlashBlock,
        BigInteger totalSlashed,
        long lastHeartbeatBlock,
        int uptimeBps,
        boolean eligible,
        List<GpuOffer> gpus) {

    public Provider {
        gpus = List.copyOf(gpus);
    }

    /** This record with {@code eligible} replaced: the provider's standing now, over its standing at its bid. */
    public Provider withEligible(boolean now) {
        return new Provider(address, region, zone, gatewayUrl, stake, effectiveStake, unstakeAmount, unstakeReadyBlock,
                registeredBlock, leasesCompleted, leasesFailed, servedSeconds, slashCount, lastSlashBlock, totalSlashed,
                lastHeartbeatBlock, uptimeBps, now, gpus);
    }

    public boolean isRegistered() {
        return registeredBlock != 0;
    }

    /**
     * Free GPUs of {@code model}'s base model ({@link GpuModel#baseOf}), 0 when it has none. Providers advertise per
     * base model, so for a more specific order ({@code A100-80GB}) this is an upper bound: the bid decides.
     */
    public int availableGpus(String model) {
        String base = GpuModel.baseOf(model);
        int available = 0;
        for (GpuOffer offer : gpus) {
            if (!base.isEmpty() && GpuModel.baseOf(offer.model()).equals(base)) {
                available += offer.available();
            }
        }
        return available;
    }
}
