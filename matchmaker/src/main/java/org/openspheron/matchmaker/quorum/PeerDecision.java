package org.openspheron.matchmaker.quorum;

import java.util.List;

/**
 * What one operator tells its peers about an order: its pick, the seed it used, the score breakdown of the bids it
 * ranked (so a disagreement can be logged with both sides) and the signatures it holds.
 *
 * @param status the operator's status for the order, e.g. {@code signing}
 * @param pick the picked bid index, or null when it has none
 * @param ranking one line per bid: index, provider, score and its parts
 * @param policyFingerprint the fingerprint of the scoring policy behind the ranking; null without a ranking (or
 *     from an operator that does not send it)
 */
public record PeerDecision(long orderId, String operator, String status, Integer pick, String seed,
                           List<RankedBidView> ranking, List<SignedMatch> signatures, String policyFingerprint) {

    public PeerDecision {
        ranking = ranking == null ? List.of() : List.copyOf(ranking);
        signatures = signatures == null ? List.of() : List.copyOf(signatures);
    }

    /** The ranking as lines, best first; empty without a ranking. */
    public static List<RankedBidView> lines(org.openspheron.matchmaker.scoring.Ranking ranking) {
        if (ranking == null) {
            return List.of();
        }
        return ranking.ranked().stream().map(r -> {
            var b = r.breakdown();
            return new RankedBidView(r.bid().index(), r.bid().provider(), r.bid().pricePerHour().toString(),
                    r.stake().toString(), r.score(), b.placement(), b.price(), b.uptime(), b.reputation(),
                    b.availability(), b.slashes(), r.exclusion(), ranking.candidates().contains(r));
        }).toList();
    }

    /** One bid's line in a ranking, as shown over the API. */
    public record RankedBidView(int bidIndex, String provider, String pricePerHour, String stake, double score,
                                double placement, double price, double uptime, double reputation,
                                double availability, double slashes, String exclusion, boolean candidate) {
    }
}
