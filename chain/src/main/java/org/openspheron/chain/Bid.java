package org.openspheron.chain;

import java.math.BigInteger;

/** A provider's bid on an order; {@code index} is its position in the order's bid list on chain. */
public record Bid(long orderId, int index, String provider, BigInteger pricePerHour, long placedBlock) {
}
