package org.openspheron.matchmaker.reconcile;

/**
 * A peer operator signed another bid (or under another seed) for an order than this operator picked: usually a
 * different scoring policy, or a peer reading a different chain state.
 *
 * @param peerBid the bid the peer signed; {@code ourBid} what this operator picked
 */
public record Disagreement(long orderId, String peerOperator, int peerBid, String peerSeed, int ourBid,
                           String ourSeed) {
}
