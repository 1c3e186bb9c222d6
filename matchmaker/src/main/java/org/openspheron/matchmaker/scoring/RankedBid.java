package org.openspheron.matchmaker.scoring;

import java.math.BigInteger;
import org.openspheron.chain.Bid;

/**
 * A bid as the scoring saw it.
 *
 * @param stake the provider's effective stake: its weight in the draw
 * @param exclusion why the bid cannot win (a hard constraint), or null when it qualifies
 */
public record RankedBid(Bid bid, Breakdown breakdown, BigInteger stake, String exclusion) {

    public boolean qualifies() {
        return exclusion == null;
    }

    public double score() {
        return breakdown.total();
    }
}
