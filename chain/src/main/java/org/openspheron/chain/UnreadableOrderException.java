package org.openspheron.chain;

/**
 * An order the chain holds but the reader will not represent: a field past the protocol's limits
 * ({@link OrderLimits}). DeploymentOrder refuses such an order at creation, so only a contract deployed before the
 * limits can hold one, and only an attacker places it (review attack 3: one order that stops every provider from
 * bidding). A caller walking many orders passes over this one; it is never a reason to stop the walk.
 */
public final class UnreadableOrderException extends ChainException {
    private final long orderId;

    public UnreadableOrderException(long orderId, String reason) {
        super("order " + orderId + " cannot be read: " + reason);
        this.orderId = orderId;
    }

    public long orderId() {
        return orderId;
    }
}
