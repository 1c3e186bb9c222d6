package org.openspheron.operator.bidding;

import java.math.BigInteger;

/** What the bid engine makes of an order: bid this price and hold that node, or pass, saying why. */
sealed interface Decision {
    record Bid(BigInteger pricePerHour, String node) implements Decision {
    }

    /** @param reason a short word for logs and the declined-bids metric, e.g. {@code gpus}, {@code region} */
    record Decline(String reason, String detail) implements Decision {
    }
}
