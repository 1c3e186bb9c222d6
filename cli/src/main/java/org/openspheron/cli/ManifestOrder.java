package org.openspheron.cli;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;
import org.openspheron.chain.OrderSpec;
import org.openspheron.manifest.Manifest;
import org.openspheron.manifest.ResourceTotals;

/**
 * The order a manifest asks for: its resources over all replicas, its region and price, its duration, and its
 * canonical hash, so the provider's gateway can tell that the manifest it receives is the one the order was for.
 * Options given on the command line win over the manifest.
 */
final class ManifestOrder {
    private ManifestOrder() {
    }

    static OrderSpec spec(Manifest manifest, String gpuModel, String region, BigInteger maxPricePerHour, Duration duration) {
        ResourceTotals totals = manifest.resources();
        String model = gpuModel != null ? gpuModel : totals.gpuModel();
        if (totals.gpuCount() > 0 && model.isBlank()) {
            throw new CliException("the manifest accepts any " + vendors(manifest) + " GPU, but an order names one model: "
                    + "pass --gpu-model (e.g. --gpu-model H100)");
        }
        String where = region != null ? region : manifest.region().orElse("");
        BigInteger price = maxPricePerHour;
        if (price == null) {
            BigDecimal fromManifest = manifest.maxPricePerHour().orElseThrow(() -> new CliException(
                    "the manifest has no price per hour (Akash SDL prices are per block in its own denominations): "
                            + "pass --max-price TOKENS_PER_HOUR"));
            price = TokenAmount.toBaseUnits(fromManifest, fromManifest.toPlainString() + " (the manifest's price per hour)");
        }
        Duration runFor = duration;
        if (runFor == null) {
            if (manifest.durationSeconds().isEmpty()) {
                throw new CliException("the manifest has no duration (Akash SDL has none): pass --duration, e.g. --duration 2h");
            }
            runFor = Duration.ofSeconds(manifest.durationSeconds().getAsLong());
        }
        return new OrderSpec(totals.cpuMilli(), totals.memoryMb(), totals.storageMb(), totals.gpuCount(),
                totals.gpuCount() > 0 ? model : "", where, "", !where.isEmpty(), price, runFor.toSeconds(),
                manifest.canonicalHash());
    }

    /** Enough escrow for the whole duration at the maximum price, rounded up to a base unit. */
    static BigInteger fullDeposit(OrderSpec spec) {
        return new BigDecimal(spec.maxPricePerHour().multiply(BigInteger.valueOf(spec.durationSeconds())))
                .divide(BigDecimal.valueOf(3600), 0, RoundingMode.CEILING).toBigIntegerExact();
    }

    private static String vendors(Manifest manifest) {
        return manifest.profiles().values().stream().flatMap(p -> p.gpus().stream())
                .map(g -> g.vendor().toUpperCase()).distinct().reduce((a, b) -> a + " or " + b).orElse("");
    }
}
