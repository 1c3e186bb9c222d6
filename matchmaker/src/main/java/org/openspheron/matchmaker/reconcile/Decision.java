package org.openspheron.matchmaker.reconcile;

import java.time.Instant;
import java.util.List;
import org.openspheron.matchmaker.scoring.Ranking;

/**
 * This operator's view of one order: its status, the ranking that led to its pick and, once matched, the lease.
 *
 * @param ranking null while the bid window is open
 * @param windowClosedAt when this operator first saw the window closed (confirmations deep); null before
 * @param leaseId the lease the match created, 0 while none
 * @param note a human-readable reason for the status (why no bid qualifies, why a submission failed)
 */
public record Decision(long orderId, MatchStatus status, long bidWindowEnd, String seed, Ranking ranking,
                       Instant windowClosedAt, long leaseId, List<Disagreement> disagreements, String note) {

    public Decision {
        disagreements = disagreements == null ? List.of() : List.copyOf(disagreements);
    }

    public Integer pick() {
        return ranking == null ? null : ranking.pickedBidIndex().orElse(null);
    }

    Decision with(MatchStatus status, String note) {
        return new Decision(orderId, status, bidWindowEnd, seed, ranking, windowClosedAt, leaseId, disagreements, note);
    }

    Decision matched(long leaseId) {
        return new Decision(orderId, MatchStatus.MATCHED, bidWindowEnd, seed, ranking, windowClosedAt, leaseId,
                disagreements, null);
    }

    Decision withDisagreement(Disagreement d) {
        List<Disagreement> all = new java.util.ArrayList<>(disagreements);
        all.add(d);
        return new Decision(orderId, status, bidWindowEnd, seed, ranking, windowClosedAt, leaseId, all, note);
    }
}
