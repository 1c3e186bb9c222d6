package org.openspheron.matchmaker.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.matchmaker.scoring.Market.provider;
import static org.openspheron.matchmaker.scoring.Market.seed;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScorerTest {
    /** A draw of one: the best score always wins, so these tests see the scoring alone. */
    private final Scorer bestOnly = new Scorer(ScoringPolicy.defaults().withDraw(1, 0));

    @Test
    void exactZoneBeatsSameRegionWhichBeatsElsewhere() {
        Ranking ranking = new Market().region("eu-west", "a", false)
                .bid(provider(1).in("us-east", "a"), 5_000_000)
                .bid(provider(2).in("eu-west", "b"), 5_000_000)
                .bid(provider(3).in("eu-west", "a"), 5_000_000)
                .rank(bestOnly, seed(1));

        assertThat(ranking.ranked()).extracting(r -> r.bid().index()).containsExactly(2, 1, 0);
        assertThat(ranking.ranked()).allMatch(RankedBid::qualifies);
    }

    @Test
    void requiredRegionExcludesProvidersElsewhere() {
        Ranking ranking = new Market().region("eu-west", "", true)
                .bid(provider(1).in("us-east", "a"), 1_000_000)
                .bid(provider(2).in("eu-west", "b"), 9_000_000)
                .rank(bestOnly, seed(1));

        assertThat(ranking.pickedBidIndex()).contains(1);
        assertThat(ranking.ranked().get(1).exclusion()).contains("requires region eu-west");
    }

    @Test
    void providerWithoutEnoughFreeGpusCannotWin() {
        Ranking ranking = new Market().gpus(4)
                .bid(provider(1).freeGpus(2), 1_000_000)
                .bid(provider(2).freeGpus(4), 9_000_000)
                .rank(bestOnly, seed(1));

        assertThat(ranking.pickedBidIndex()).contains(1);
        assertThat(ranking.ranked().get(1).exclusion()).contains("2 free H100");
    }

    @Test
    void ineligibleOrUnregisteredProvidersCannotWin() {
        Market market = new Market().bid(provider(1).ineligible(), 1_000_000);
        market.bids().add(new org.openspheron.chain.Bid(1, 1, "0x" + "ab".repeat(20), BigInteger.ONE, 10));

        Ranking ranking = market.rank(bestOnly, seed(1));

        assertThat(ranking.pick()).isEmpty();
        assertThat(ranking.candidates()).isEmpty();
        assertThat(ranking.ranked()).noneMatch(RankedBid::qualifies);
    }

    @Test
    void cheaperBidScoresHigherAllElseEqual() {
        Ranking ranking = new Market()
                .bid(provider(1), 8_000_000)
                .bid(provider(2), 2_000_000)
                .rank(bestOnly, seed(1));

        assertThat(ranking.pickedBidIndex()).contains(1);
        assertThat(ranking.ranked().get(0).breakdown().price()).isGreaterThan(ranking.ranked().get(1).breakdown().price());
    }

    @Test
    void betterUptimeAndReputationScoreHigher() {
        Ranking ranking = new Market()
                .bid(provider(1).uptime(5_000).leases(1, 5), 5_000_000)
                .bid(provider(2).uptime(9_900).leases(20, 0), 5_000_000)
                .rank(bestOnly, seed(1));

        RankedBid best = ranking.ranked().get(0);
        assertThat(best.bid().index()).isEqualTo(1);
        assertThat(best.breakdown().uptime()).isGreaterThan(ranking.ranked().get(1).breakdown().uptime());
        assertThat(best.breakdown().reputation()).isGreaterThan(ranking.ranked().get(1).breakdown().reputation());
    }

    /**
     * Attack 6 (reputation inflation): a provider that ordered from itself 100 times, confirmed and closed at once,
     * paid for no service, and ranks below one that served a single tenant for a month; it gains nothing over a
     * newcomer.
     */
    @Test
    void reputationInflationBySelfDealtLeasesEarnsNothing() {
        Ranking ranking = new Market()
                .bid(provider(1).served(100, 0), 5_000_000)
                .bid(provider(2).served(1, 30 * 86_400), 5_000_000)
                .bid(provider(3), 5_000_000)
                .rank(bestOnly, seed(1));

        RankedBid selfDealer = ranking.ranked().stream().filter(r -> r.bid().index() == 0).findFirst().orElseThrow();
        RankedBid newcomer = ranking.ranked().stream().filter(r -> r.bid().index() == 2).findFirst().orElseThrow();
        assertThat(ranking.ranked().get(0).bid().index()).isEqualTo(1);
        assertThat(selfDealer.breakdown().reputation()).isEqualTo(newcomer.breakdown().reputation());
        assertThat(ranking.ranked().get(0).breakdown().reputation()).isGreaterThan(selfDealer.breakdown().reputation());
    }

    @Test
    void aRecentSlashWeighsMoreThanAnOldOne() {
        // The order's window ends at block 10,000: one slash 100 blocks before it, the other 50,000 before genesis.
        Ranking ranking = new Market()
                .bid(provider(1).slashed(1, 9_900), 5_000_000)
                .bid(provider(2).slashed(1, 0), 5_000_000)
                .bid(provider(3), 5_000_000)
                .rank(bestOnly, seed(1));

        assertThat(ranking.ranked()).extracting(r -> r.bid().index()).containsExactly(2, 1, 0);
        assertThat(ranking.ranked().get(2).breakdown().slashes()).isLessThan(ranking.ranked().get(1).breakdown().slashes());
        assertThat(ranking.ranked().get(0).breakdown().slashes()).isZero();
    }

    @Test
    void drawIsAmongTheBestScoredWithinTheMargin() {
        Scorer scorer = new Scorer(ScoringPolicy.defaults().withDraw(5, 0.05));
        Ranking ranking = new Market()
                .bid(provider(1), 5_000_000)
                .bid(provider(2), 5_000_001)
                .bid(provider(3).in("us-east", "x"), 5_000_000)
                .rank(scorer, seed(1));

        assertThat(ranking.candidates()).extracting(r -> r.bid().index()).containsExactly(0, 1);
        assertThat(ranking.pickedBidIndex()).isPresent().get().isIn(0, 1);
    }

    @Test
    void drawNeverExceedsItsSize() {
        Scorer scorer = new Scorer(ScoringPolicy.defaults().withDraw(2, 1.0));
        Market market = new Market();
        for (int i = 0; i < 6; i++) {
            market.bid(provider(i), 5_000_000);
        }
        assertThat(market.rank(scorer, seed(3)).candidates()).hasSize(2);
    }

    @Test
    void sharesOfTheDrawAreProportionalToStake() {
        Scorer scorer = new Scorer(ScoringPolicy.defaults().withDraw(5, 0.0));
        BigInteger unit = Market.STAKE;
        List<BigInteger> stakes = List.of(unit, unit.multiply(BigInteger.TWO), unit.multiply(BigInteger.valueOf(5)));
        Market market = new Market();
        for (int i = 0; i < stakes.size(); i++) {
            market.bid(provider(i).stake(stakes.get(i)), 5_000_000);
        }
        int draws = 8_000;
        int[] wins = new int[stakes.size()];
        for (int n = 0; n < draws; n++) {
            wins[market.rank(scorer, seed(n)).pickedBidIndex().orElseThrow()]++;
        }
        // Chi-square against the stake shares, 2 degrees of freedom: 13.8 is the 0.999 quantile.
        double total = 8.0;
        double chiSquare = 0;
        for (int i = 0; i < stakes.size(); i++) {
            double expected = draws * stakes.get(i).doubleValue() / unit.doubleValue() / total;
            chiSquare += Math.pow(wins[i] - expected, 2) / expected;
        }
        assertThat(chiSquare).as("chi-square of wins %s against stakes 1:2:5", java.util.Arrays.toString(wins))
                .isLessThan(13.8);
    }
}
