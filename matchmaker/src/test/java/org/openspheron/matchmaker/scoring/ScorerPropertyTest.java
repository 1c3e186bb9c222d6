package org.openspheron.matchmaker.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.Generate.pick;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** Laws of the scorer over random markets. A failure ends with "Seed was N"; {@code -DQT_SEED=N} replays it. */
class ScorerPropertyTest {
    /** Shrinking a failure tries at most this many smaller markets (well under a millisecond each). */
    private static final int SHRINK_CYCLES = 2000;

    @Test
    void twoScorersPickTheSameBid() {
        qt().withExamples(200).withShrinkCycles(SHRINK_CYCLES)
                .forAll(markets(), longs().all())
                .checkAssert((market, seed) -> {
                    Ranking first = market.rank(new Scorer(ScoringPolicy.defaults()), Market.seed(seed));
                    Ranking second = market.rank(new Scorer(ScoringPolicy.defaults()), Market.seed(seed));

                    assertThat(second).isEqualTo(first);
                });
    }

    @Test
    void breakdownSumsToTheScoreAndRankingIsBestFirst() {
        qt().withExamples(200).withShrinkCycles(SHRINK_CYCLES)
                .forAll(markets(), longs().all())
                .checkAssert(ScorerPropertyTest::breakdownSumsToTheScoreAndRankingIsBestFirst);
    }

    private static void breakdownSumsToTheScoreAndRankingIsBestFirst(Market market, long seed) {
        Ranking ranking = market.rank(new Scorer(ScoringPolicy.defaults()), Market.seed(seed));

        for (RankedBid r : ranking.ranked()) {
            Breakdown b = r.breakdown();
            assertThat(r.score()).isEqualTo(b.placement() + b.price() + b.uptime() + b.reputation() + b.availability()
                    + b.slashes());
        }
        List<RankedBid> qualifying = ranking.ranked().stream().filter(RankedBid::qualifies).toList();
        for (int i = 1; i < qualifying.size(); i++) {
            assertThat(qualifying.get(i).score()).isLessThanOrEqualTo(qualifying.get(i - 1).score());
        }
        ranking.pick().ifPresent(pick -> {
            assertThat(pick.qualifies()).isTrue();
            assertThat(ranking.candidates()).contains(pick);
        });
    }

    @Test
    void drawIsAlwaysWithinTheTotalStake() {
        qt().withExamples(300).withShrinkCycles(SHRINK_CYCLES)
                .forAll(lists().of(integers().between(1, 1_000_000)).ofType(lists().arrayList()).ofSizeBetween(1, 8),
                        longs().all())
                .checkAssert((stakes, seed) -> {
                    BigInteger total = stakes.stream().map(BigInteger::valueOf).reduce(BigInteger.ZERO, BigInteger::add);
                    BigInteger value = StakeDraw.value(Market.seed(seed), 7, total);
                    assertThat(value).isGreaterThanOrEqualTo(BigInteger.ZERO).isLessThan(total);
                });
    }

    private static Gen<Market> markets() {
        Gen<String> region = pick(List.of("eu-west", "us-east"));
        Gen<String> zone = pick(List.of("a", "b"));
        Gen<Integer> uptime = integers().between(0, 10_000);
        Gen<Integer> failed = integers().between(0, 5);
        Gen<Integer> slashes = integers().between(0, 3);
        Gen<Integer> free = integers().between(0, 4);
        Gen<Integer> stake = integers().between(1, 50);
        Gen<Market.ProviderRecord> providers = in -> Market.provider(0).in(region.generate(in), zone.generate(in))
                .uptime(uptime.generate(in)).leases(3, failed.generate(in)).slashed(slashes.generate(in), 9_000)
                .freeGpus(free.generate(in)).stake(Market.STAKE.multiply(BigInteger.valueOf(stake.generate(in))));
        Gen<List<Market.ProviderRecord>> upToTwelve = lists().of(providers).ofType(lists().arrayList())
                .ofSizeBetween(0, 12);
        Gen<List<Long>> twelvePrices = lists().of(longs().between(1, 9_000_000)).ofType(lists().arrayList()).ofSize(12);
        return upToTwelve.zip(twelvePrices, booleans().all(), integers().between(1, 3),
                (records, prices, regionRequired, gpus) -> {
                    Market market = new Market().region("eu-west", "a", regionRequired).gpus(gpus);
                    for (int i = 0; i < records.size(); i++) {
                        Market.ProviderRecord r = records.get(i);
                        Market.ProviderRecord distinct = Market.provider(i).in(r.region, r.zone).uptime(r.uptimeBps)
                                .leases(r.completed, r.failed).slashed(r.slashes, r.lastSlashBlock)
                                .freeGpus(r.freeGpus).stake(r.stake);
                        market.bid(distinct, prices.get(i));
                    }
                    return market;
                });
    }
}
