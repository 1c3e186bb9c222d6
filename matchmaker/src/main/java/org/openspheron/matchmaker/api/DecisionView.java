package org.openspheron.matchmaker.api;

import java.util.List;
import org.openspheron.matchmaker.quorum.PeerDecision;
import org.openspheron.matchmaker.quorum.SignedMatch;
import org.openspheron.matchmaker.reconcile.Decision;
import org.openspheron.matchmaker.reconcile.Disagreement;

/**
 * An order's decision over REST.
 *
 * @param status waiting-window, no-eligible-bid, signing, submitted, matched or cancelled
 * @param draw the stake-weighted draw's value, as a decimal string
 * @param policy the fingerprint of the scoring policy that ranked the bids; compare it with a peer's decision
 */
public record DecisionView(long orderId, String status, long bidWindowEnd, String seed, Integer pick,
                           String pickedProvider, long leaseId, String note, String draw, String policy,
                           List<PeerDecision.RankedBidView> ranking, List<SignedMatch> signatures,
                           List<Disagreement> disagreements) {

    static DecisionView of(Decision d, List<SignedMatch> signatures) {
        String provider = d.ranking() == null ? null
                : d.ranking().pick().map(p -> p.bid().provider()).orElse(null);
        return new DecisionView(d.orderId(), d.status().label(), d.bidWindowEnd(), d.seed(), d.pick(), provider,
                d.leaseId(), d.note(), d.ranking() == null ? null : d.ranking().draw().toString(),
                d.ranking() == null ? null : d.ranking().policyFingerprint(), PeerDecision.lines(d.ranking()), signatures, d.disagreements());
    }

    /** One line of {@code GET /orders}. */
    public record Summary(long orderId, String status, long bidWindowEnd, int bids, Integer pick, long leaseId) {
        static Summary of(Decision d) {
            return new Summary(d.orderId(), d.status().label(), d.bidWindowEnd(),
                    d.ranking() == null ? 0 : d.ranking().ranked().size(), d.pick(), d.leaseId());
        }
    }
}
