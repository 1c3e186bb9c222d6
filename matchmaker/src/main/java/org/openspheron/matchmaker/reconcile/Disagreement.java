package org.openspheron.matchmaker.reconcile;

/**
 * A peer operator signed another bid (or under another seed) for an order than this operator picked: usually a
 * different scoring policy, or a peer reading a different chain state.
 *
 * @param peerBid the bid the peer signed; {@code ourBid} what this operator picked
 * @param peerPolicy the fingerprint of the policy the peer ranked with; null when it did not say (away, or older)
 * @param ourPolicy the fingerprint of the policy this operator ranked with
 */
public record Disagreement(long orderId, String peerOperator, int peerBid, String peerSeed, int ourBid,
                           String ourSeed, String peerPolicy, String ourPolicy) {

    /** Whether the policies differ, as words for the log. */
    public String policyVerdict() {
        if (peerPolicy == null || ourPolicy == null) {
            return "their scoring policy is unknown (ours is " + ourPolicy + ")";
        }
        if (peerPolicy.equals(ourPolicy)) {
            return "both ranked with policy " + ourPolicy + ", so we read different chain state";
        }
        return "they rank with policy " + peerPolicy + ", we with " + ourPolicy + ": a policy mismatch";
    }
}
