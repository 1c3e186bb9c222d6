package org.openspheron.matchmaker.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class ScorerProperties {

    @Property(tries = 200)
    void twoScorersPickTheSameBid(@ForAll("markets") Market market, @ForAll long seed) {
        Ranking first = market.rank(new Scorer(ScoringPolicy.defaults()), Market.seed(seed));
        Ranking second = market.rank(new Scorer(ScoringPolicy.defaults()), Market.seed(seed));

        assertThat(second).isEqualTo(first);
    }

    @Property(tries = 200)
    void breakdownSumsToTheScoreAndRankingIsBestFirst(@ForAll("markets") Market market, @ForAll long seed) {
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

    @Property(tries = 300)
    void drawIsAlwaysWithinTheTotalStake(@ForAll @Size(min = 1, max = 8) List<@IntRange(min = 1, max = 1_000_000) Integer> stakes,
                                         @ForAll long seed) {
        BigInteger total = stakes.stream().map(BigInteger::valueOf).reduce(BigInteger.ZERO, BigInteger::add);
        BigInteger value = StakeDraw.value(Market.seed(seed), 7, total);
        assertThat(value).isGreaterThanOrEqualTo(BigInteger.ZERO).isLessThan(total);
    }

    @Provide
    Arbitrary<Market> markets() {
        Arbitrary<Market.ProviderRecord> providers = Combinators.combine(
                Arbitraries.of("eu-west", "us-east"), Arbitraries.of("a", "b"), Arbitraries.integers().between(0, 10_000),
                Arbitraries.integers().between(0, 5), Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 4), Arbitraries.integers().between(1, 50))
                .as((region, zone, uptime, failed, slashes, free, stake) -> Market.provider(0).in(region, zone)
                        .uptime(uptime).leases(3, failed).slashed(slashes, 9_000).freeGpus(free)
                        .stake(Market.STAKE.multiply(BigInteger.valueOf(stake))));
        return Combinators.combine(providers.list().ofMinSize(0).ofMaxSize(12),
                        Arbitraries.longs().between(1, 9_000_000).list().ofSize(12),
                        Arbitraries.of(true, false), Arbitraries.integers().between(1, 3))
                .as((records, prices, regionRequired, gpus) -> {
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
