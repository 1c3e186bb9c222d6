package org.openspheron.cli;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Set;
import java.util.function.Consumer;
import org.openspheron.chain.OrderFeatures;
import org.openspheron.chain.OrderSpec;
import org.openspheron.manifest.BlockPricing;
import org.openspheron.manifest.DenominationRates;
import org.openspheron.manifest.DeploymentEntry;
import org.openspheron.manifest.DeploymentGroups;
import org.openspheron.manifest.Manifest;
import org.openspheron.manifest.ManifestException;
import org.openspheron.manifest.ManifestFormat;
import org.openspheron.manifest.ResourceTotals;

/**
 * The order a manifest asks for: its resources over all replicas, its region and price, its duration, the storage
 * classes its mounted persistent volumes need, the TEE types its services ask for and the leased IPs its endpoints
 * need ({@link OrderFeatures}), and its canonical hash, so the provider's gateway can tell that the manifest it
 * receives is the one the order was for.
 * Options given on the command line win over the manifest. Without {@code --max-price}, an SDL's prices per block
 * are converted to a price per hour ({@link BlockPricing}) with the user's AKT price where they are in uakt.
 */
final class ManifestOrder {
    private ManifestOrder() {
    }

    static OrderSpec spec(Manifest manifest, String gpuModel, String region, BigInteger maxPricePerHour, Duration duration) {
        try {
            DeploymentGroups.requireOneGroup(manifest);
        } catch (ManifestException e) {
            throw new CliException(e.getMessage());
        }
        ResourceTotals totals = manifest.resources();
        String model = gpuModel != null ? gpuModel : totals.gpuModel();
        if (totals.gpuCount() > 0 && model.isBlank()) {
            throw new CliException("the manifest accepts any " + vendors(manifest) + " GPU, but an order names one model: "
                    + "pass --gpu-model (e.g. --gpu-model H100)");
        }
        String where = region != null ? region : manifest.region().orElse("");
        BigInteger price = maxPricePerHour != null ? maxPricePerHour
                : maxPricePerHour(manifest, null, DenominationRates.withoutAktPrice(), "tokens", line -> { });
        Duration runFor = duration;
        if (runFor == null) {
            if (manifest.durationSeconds().isEmpty()) {
                throw new CliException("the manifest has no duration (Akash SDL has none): pass --duration, e.g. --duration 2h");
            }
            runFor = Duration.ofSeconds(manifest.durationSeconds().getAsLong());
        }
        return new OrderSpec(totals.cpuMilli(), totals.memoryMb(), totals.storageMb(), totals.gpuCount(),
                totals.gpuCount() > 0 ? model : "", where, "", !where.isEmpty(), price, runFor.toSeconds(),
                manifest.canonicalHash(), OrderFeatures.ofStorageClasses(manifest.persistentStorageClasses())
                        | OrderFeatures.ofTeeTypes(manifest.teeTypes())
                        // The parser holds a manifest to the ManifestLimits.MAX_IP_ENDPOINTS an order can carry.
                        | OrderFeatures.ofLeasedIps(manifest.ipEndpoints().size()));
    }

    /**
     * The order's maximum price per hour in base units: {@code --max-price} when given, else the ICL file's prices
     * per hour, else the SDL's prices per block converted by {@link BlockPricing}, each step shown in {@code progress}.
     * A denomination without a rate stops here with the option that would give one.
     */
    static BigInteger maxPricePerHour(Manifest manifest, BigInteger override, DenominationRates rates, String symbol,
                                      Consumer<String> progress) {
        if (override != null) {
            if (manifest.format() == ManifestFormat.SDL) {
                progress.accept("pricing      --max-price " + TokenAmount.format(override, symbol)
                        + "/h; the SDL's prices per block are not used");
            }
            return override;
        }
        if (manifest.format() == ManifestFormat.ICL) {
            BigDecimal fromManifest = manifest.maxPricePerHour().orElseThrow(() -> new CliException(
                    "the manifest has no price per hour: pass --max-price TOKENS_PER_HOUR"));
            return TokenAmount.toBaseUnits(fromManifest, fromManifest.toPlainString() + " (the manifest's price per hour)");
        }
        requireRates(manifest, rates);
        BlockPricing.Conversion conversion = BlockPricing.convert(manifest, rates);
        for (BlockPricing.Term term : conversion.terms()) {
            progress.accept("pricing      " + describe(term, symbol));
        }
        if (conversion.terms().size() > 1) {
            progress.accept("pricing      SDL total " + TokenAmount.format(conversion.baseUnitsPerHour(), symbol)
                    + "/h (rounded down once)");
        }
        if (conversion.baseUnitsPerHour().signum() == 0) {
            throw new CliException("the manifest's SDL prices come to less than 0.000001 " + symbol + " per hour: "
                    + "pass --max-price TOKENS_PER_HOUR");
        }
        return conversion.baseUnitsPerHour();
    }

    private static void requireRates(Manifest manifest, DenominationRates rates) {
        Set<String> missing = BlockPricing.denominationsWithoutRate(manifest, rates);
        if (missing.contains(null)) {
            throw new CliException("a price in the manifest has no denom, so it cannot be converted: add denom: uact "
                    + "(or uakt) to it, or pass --max-price TOKENS_PER_HOUR");
        }
        if (missing.stream().anyMatch(DenominationRates.UAKT::equalsIgnoreCase)) {
            throw new CliException("the manifest prices in uakt (AKT per block) and no AKT price is set: pass "
                    + "--akt-price TOKENS_PER_AKT (or set SPHERON_AKT_PRICE), or --max-price TOKENS_PER_HOUR");
        }
        if (!missing.isEmpty()) {
            throw new CliException("no rate is known for " + String.join(", ", missing) + " (uact and Akash's USDC are "
                    + "one token, uakt takes --akt-price): pass --max-price TOKENS_PER_HOUR");
        }
    }

    /** {@code SDL web in dc: 1000 uakt/block × 2 replicas × 590.3575 blocks/h at 0.95 sUSD/AKT = 1.121679 sUSD/h}. */
    private static String describe(BlockPricing.Term term, String symbol) {
        DeploymentEntry d = term.deployment();
        return "SDL " + d.service() + " in " + d.placement() + ": " + term.price().amount().stripTrailingZeros().toPlainString()
                + " " + term.price().denomination() + "/block" + (d.count() > 1 ? " × " + d.count() + " replicas" : "")
                + " × " + BlockPricing.blocksPerHourForDisplay().toPlainString() + " blocks/h ("
                + BlockPricing.SECONDS_PER_BLOCK.toPlainString() + " s/block) at " + term.rate().stripTrailingZeros().toPlainString()
                + " " + symbol + "/" + DenominationRates.unitName(term.price().denomination()) + " = "
                + TokenAmount.format(term.baseUnitsPerHour(), symbol) + "/h";
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
