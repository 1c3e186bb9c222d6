package org.openspheron.chain;

import java.math.BigInteger;

/**
 * An order as the chain holds it.
 *
 * @param bidWindowEnd the last block in which bids are accepted
 * @param deposit escrow still held for the order (zero once matched or cancelled)
 * @param leaseId the lease created by the match, 0 while none
 * @param anchoredSeed the seed the match used, stored with it; null before the match (the seed is then
 *        keccak(blockhash(bidWindowEnd), orderId), see {@link ProtocolReader#seed})
 */
public record Order(
        long id,
        String tenant,
        OrderState state,
        long createdBlock,
        long bidWindowEnd,
        BigInteger deposit,
        long leaseId,
        String anchoredSeed,
        OrderSpec spec) {

    public boolean isOpen() {
        return state == OrderState.OPEN;
    }

    /** Whether the bid window has closed as of {@code block} (the latest block). */
    public boolean biddingClosedAt(long block) {
        return block > bidWindowEnd;
    }
}
