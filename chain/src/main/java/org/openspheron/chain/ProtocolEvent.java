package org.openspheron.chain;

import java.math.BigInteger;

/** The protocol events that wake the off-chain components up. Each carries the block it was mined in. */
public sealed interface ProtocolEvent {
    long blockNumber();

    /** {@code ORDER_CREATED}. */
    record OrderCreated(long orderId, String tenant, int gpuCount, String gpuModel, String region,
                        BigInteger maxPricePerHour, long bidWindowEnd, BigInteger deposit, long blockNumber)
            implements ProtocolEvent {
    }

    /** {@code BID_SUBMITTED}. */
    record BidSubmitted(long orderId, String provider, int bidIndex, BigInteger pricePerHour, long blockNumber)
            implements ProtocolEvent {
    }

    /** {@code CREATE_LEASE}. */
    record LeaseCreated(long leaseId, long orderId, String provider, String tenant, BigInteger pricePerHour,
                        String seed, long blockNumber) implements ProtocolEvent {
    }

    /** {@code ORDER_CANCELLED}: the tenant took the order back (before any match) and its deposit with it. */
    record OrderCancelled(long orderId, BigInteger refund, long blockNumber) implements ProtocolEvent {
    }

    /** {@code LEASE_CLOSED}; {@code reason} is the contract's CloseReason ordinal name. */
    record LeaseClosed(long leaseId, String closedBy, String reason, BigInteger paidToProvider, BigInteger refunded,
                       long blockNumber) implements ProtocolEvent {
    }
}
