package org.openspheron.manifest;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Akash SDL prices, written per block and replica in an Akash denomination, as a maximum price per hour in the
 * protocol's payment token, which has six decimals. A pure function of the manifest and the {@link DenominationRates}.
 *
 * <h2>Block time</h2>
 * Akash's blocks have no fixed length; its own tools take 6.098 s as the average (Akash Console,
 * {@code apps/deploy-web/src/utils/priceUtils.ts}: {@code averageBlockTime = 6.098}, an hourly price being
 * {@code perBlock × 3600 / averageBlockTime}). So does this: an hour is 3600 / 6.098 ≈ 590.3575 blocks.
 *
 * <h2>Arithmetic</h2>
 * SDL amounts count micro-units ({@code uakt}, {@code uact}, USDC's) and the payment token's base unit is a millionth
 * of it too, so one micro-unit per block at rate r (tokens per whole unit) is r base units per block. A deployment of
 * {@code count} replicas at {@code amount} per block costs {@code amount × count × r × 3600 / 6.098} base units an
 * hour. Products and sums are exact (BigDecimal); the one division, by 6.098, comes last, on the manifest's total,
 * rounded down to a whole base unit (0.000001 token), so the order never offers more than the SDL allows at that
 * block time. {@link #baseUnitsPerHour} rounds one resource's price the same way, on its own.
 */
public final class BlockPricing {
    /** Akash's average block time as its tools assume it, in seconds. */
    public static final BigDecimal SECONDS_PER_BLOCK = new BigDecimal("6.098");
    private static final BigDecimal SECONDS_PER_HOUR = BigDecimal.valueOf(3600);

    private BlockPricing() {
    }

    /**
     * One deployment's part of the price.
     *
     * @param price per block and replica, as written
     * @param rate payment tokens per whole unit of the price's denomination
     */
    public record Term(DeploymentEntry deployment, Price price, BigDecimal rate) {

        /** {@code amount × count × rate}: base units per block, exact. */
        public BigDecimal baseUnitsPerBlock() {
            return price.amount().multiply(BigDecimal.valueOf(deployment.count())).multiply(rate);
        }

        /** This term alone per hour, rounded down to a base unit. */
        public BigInteger baseUnitsPerHour() {
            return perHour(baseUnitsPerBlock());
        }
    }

    /**
     * @param terms one per deployment, in the manifest's order
     * @param baseUnitsPerHour the sum of the terms per hour, rounded down once
     */
    public record Conversion(List<Term> terms, BigInteger baseUnitsPerHour) {

        public Conversion {
            terms = List.copyOf(terms);
        }
    }

    /**
     * The denominations of an SDL manifest's prices that have no rate, in order of appearance; a price written
     * without a denomination is reported as null. Empty when {@link #convert} can convert.
     */
    public static Set<String> denominationsWithoutRate(Manifest manifest, DenominationRates rates) {
        Set<String> missing = new LinkedHashSet<>();
        for (DeploymentEntry d : manifest.deployments()) {
            Price price = manifest.price(d);
            if (rates.of(price.denomination()).isEmpty()) {
                missing.add(price.denomination());
            }
        }
        return missing;
    }

    /** Converts an SDL manifest's prices; refuses an ICL file (already per hour) or a denomination without a rate. */
    public static Conversion convert(Manifest manifest, DenominationRates rates) {
        if (manifest.format() != ManifestFormat.SDL) {
            throw new IllegalArgumentException("only Akash SDL prices are per block");
        }
        List<Term> terms = new ArrayList<>();
        BigDecimal perBlock = BigDecimal.ZERO;
        for (DeploymentEntry d : manifest.deployments()) {
            Price price = manifest.price(d);
            BigDecimal rate = rates.of(price.denomination()).orElseThrow(() -> new IllegalArgumentException(
                    "no rate for " + price.denomination() + " (see denominationsWithoutRate)"));
            Term term = new Term(d, price, rate);
            terms.add(term);
            perBlock = perBlock.add(term.baseUnitsPerBlock());
        }
        return new Conversion(terms, perHour(perBlock));
    }

    /** One resource's price per hour: {@code amountPerBlock × count × rate × 3600 / 6.098}, rounded down. */
    public static BigInteger baseUnitsPerHour(BigDecimal amountPerBlock, long count, BigDecimal rate) {
        return perHour(amountPerBlock.multiply(BigDecimal.valueOf(count)).multiply(rate));
    }

    /** Blocks per hour for people to read: 3600 / 6.098 to four decimals ({@code 590.3575}); never used to compute. */
    public static BigDecimal blocksPerHourForDisplay() {
        return SECONDS_PER_HOUR.divide(SECONDS_PER_BLOCK, 4, RoundingMode.HALF_UP);
    }

    private static BigInteger perHour(BigDecimal baseUnitsPerBlock) {
        return baseUnitsPerBlock.multiply(SECONDS_PER_HOUR).divide(SECONDS_PER_BLOCK, 0, RoundingMode.FLOOR).toBigIntegerExact();
    }
}
