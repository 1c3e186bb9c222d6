package org.openspheron.matchmaker.scoring;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of scoring one order: every bid ranked (qualifying ones first, best score first, then bid index),
 * the bids that entered the stake-weighted draw, the draw itself and the pick.
 *
 * @param draw the uniform value in [0, total stake of the candidates) the seed produced; zero without candidates
 * @param policyFingerprint the {@link ScoringPolicy#fingerprint()} of the policy that ranked, to tell a peer's
 *     different pick from a different policy
 */
public record Ranking(long orderId, String seed, List<RankedBid> ranked, List<RankedBid> candidates, BigInteger draw,
                      Optional<RankedBid> pick, String policyFingerprint) {

    public Ranking {
        ranked = List.copyOf(ranked);
        candidates = List.copyOf(candidates);
    }

    public Optional<Integer> pickedBidIndex() {
        return pick.map(p -> p.bid().index());
    }
}
