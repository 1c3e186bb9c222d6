package org.openspheron.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.math.BigDecimal;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/** SDL prices per block as a maximum price per hour: 3600 / 6.098 blocks an hour, rounded down once. */
class BlockPricingTest {

    /** One service, {@code count} replicas, priced {@code amount denom} per block. */
    private static Manifest sdl(String denom, String amount, int count) {
        return ManifestParser.parse("""
                version: "2.0"
                services:
                  web: {image: nginx:1.27}
                profiles:
                  compute:
                    web: {resources: {cpu: {units: 1}, memory: {size: 1Gi}, storage: {size: 1Gi}}}
                  placement:
                    dc: {pricing: {web: {denom: "%s", amount: %s}}}
                deployment:
                  web: {dc: {profile: web, count: %d}}
                """.formatted(denom, amount, count));
    }

    private static final DenominationRates NO_AKT = DenominationRates.withoutAktPrice();

    @Test
    void actIsOneTokenSoAThousandUactPerBlockIsAThousandBaseUnitsTimesTheBlocksOfAnHour() {
        // 1000 × 3600 / 6.098 = 590357.49... base units, rounded down
        BlockPricing.Conversion c = BlockPricing.convert(sdl("uact", "1000", 1), NO_AKT);
        assertThat(c.baseUnitsPerHour()).isEqualTo(BigInteger.valueOf(590_357));
        assertThat(c.terms()).singleElement().satisfies(t -> assertThat(t.rate()).isEqualByComparingTo("1"));
    }

    @Test
    void aktIsConvertedAtThePriceTheUserGives() {
        // 1000 × 3 replicas × 0.95 × 3600 / 6.098 = 1682518.86...
        Manifest m = sdl("uakt", "1000", 3);
        assertThat(BlockPricing.convert(m, DenominationRates.withAktPrice(new BigDecimal("0.95"))).baseUnitsPerHour())
                .isEqualTo(BigInteger.valueOf(1_682_518));
    }

    @Test
    void withoutAnAktPriceUaktHasNoRateAndIsNotConverted() {
        Manifest m = sdl("uakt", "1000", 1);
        assertThat(BlockPricing.denominationsWithoutRate(m, NO_AKT)).containsExactly("uakt");
        assertThatThrownBy(() -> BlockPricing.convert(m, NO_AKT)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void usdcOverIbcIsOneTokenWhateverTheCaseOfItsHash() {
        Manifest m = sdl("ibc/170C677610AC31DF0904FFE09CD3B5C657492170E7E52372E48756B71E56F2F1", "0.5", 2);
        assertThat(BlockPricing.denominationsWithoutRate(m, NO_AKT)).isEmpty();
        // 0.5 × 2 × 3600 / 6.098 = 590.36
        assertThat(BlockPricing.convert(m, NO_AKT).baseUnitsPerHour()).isEqualTo(BigInteger.valueOf(590));
        assertThat(DenominationRates.unitName("ibc/170C677610AC31DF0904FFE09CD3B5C657492170E7E52372E48756B71E56F2F1")).isEqualTo("USDC");
    }

    @Test
    void anIbcDenominationNobodyPricedHasNoRate() {
        String other = "ibc/" + "ab".repeat(32);
        assertThat(BlockPricing.denominationsWithoutRate(sdl(other, "10", 1), NO_AKT)).containsExactly(other);
    }

    @Test
    void theTotalIsRoundedOnceNotTermByTerm() {
        // Each service alone: 5 × 3600 / 6.098 = 2951.78 -> 2951; both together 5903.57 -> 5903, one more than 2 × 2951.
        Manifest m = ManifestParser.parse("""
                version: "2.0"
                services:
                  a: {image: nginx:1.27}
                  b: {image: nginx:1.27}
                profiles:
                  compute:
                    p: {resources: {cpu: {units: 1}, memory: {size: 1Gi}, storage: {size: 1Gi}}}
                  placement:
                    dc: {pricing: {p: {denom: uact, amount: 5}}}
                deployment:
                  a: {dc: {profile: p, count: 1}}
                  b: {dc: {profile: p, count: 1}}
                """);
        BlockPricing.Conversion c = BlockPricing.convert(m, NO_AKT);
        assertThat(c.terms()).extracting(BlockPricing.Term::baseUnitsPerHour)
                .containsExactly(BigInteger.valueOf(2951), BigInteger.valueOf(2951));
        assertThat(c.baseUnitsPerHour()).isEqualTo(BigInteger.valueOf(5903));
    }

    @Test
    void iclPricesAreAlreadyPerHourAndAreNotConverted() {
        assertThatThrownBy(() -> BlockPricing.convert(ManifestParser.parse(ManifestParserTest.WEB), NO_AKT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("per block");
    }

    @Test
    void anAktPriceOfZeroIsRefused() {
        assertThatThrownBy(() -> DenominationRates.withAktPrice(BigDecimal.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void blocksPerHourAreShownToFourDecimals() {
        assertThat(BlockPricing.blocksPerHourForDisplay()).isEqualByComparingTo("590.3575");
    }

    /** The law of rounding down: the result is the largest whole number of base units not above the exact value. */
    @Test
    void theHourlyPriceIsTheExactValueRoundedDown() {
        qt().withExamples(2000)
                .forAll(longs().between(1, 10_000_000_000L), integers().between(0, 6), integers().between(1, 100),
                        longs().between(1, 100_000_000))
                .checkAssert((units, decimals, count, rateMicros) -> {
                    BigDecimal amount = BigDecimal.valueOf(units, decimals);
                    BigDecimal rate = BigDecimal.valueOf(rateMicros, 6);
                    BigInteger result = BlockPricing.baseUnitsPerHour(amount, count, rate);
                    BigDecimal exactTimesBlockTime = amount.multiply(BigDecimal.valueOf(count)).multiply(rate)
                            .multiply(BigDecimal.valueOf(3600));
                    BigDecimal blockTime = BlockPricing.SECONDS_PER_BLOCK;
                    assertThat(new BigDecimal(result).multiply(blockTime)).isLessThanOrEqualTo(exactTimesBlockTime);
                    assertThat(new BigDecimal(result.add(BigInteger.ONE)).multiply(blockTime)).isGreaterThan(exactTimesBlockTime);
                });
    }
}
