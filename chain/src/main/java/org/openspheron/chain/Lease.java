package org.openspheron.chain;

import java.math.BigInteger;

/**
 * A lease as the chain holds it. Times are chain timestamps in seconds; {@code confirmedAt} is 0 until the
 * provider confirms the deployment, from when payment accrues until {@code endsAt}.
 */
public record Lease(
        long id,
        long orderId,
        String tenant,
        String provider,
        BigInteger pricePerHour,
        LeaseState state,
        long createdAt,
        long confirmDeadline,
        long confirmedAt,
        long endsAt,
        BigInteger balance,
        BigInteger paid) {

    public boolean isActive() {
        return state == LeaseState.ACTIVE;
    }

    public boolean isConfirmed() {
        return confirmedAt != 0;
    }
}
