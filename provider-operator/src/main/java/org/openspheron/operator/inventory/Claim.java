package org.openspheron.operator.inventory;

/**
 * Resources set aside on a node before any pod uses them: by an open bid ({@code order-<id>}, a reservation) or
 * by a lease won but not yet running ({@code lease-<id>}, a hold). Without them two bids could promise the same
 * GPU.
 *
 * @param node the node the demand was placed on, or null when it no longer fits anywhere (it is then charged
 *             against nothing, and the provider is over-committed until it ends)
 */
public record Claim(String holder, String node, Demand demand) {
    public static String forOrder(long orderId) {
        return "order-" + orderId;
    }

    public static String forLease(long leaseId) {
        return "lease-" + leaseId;
    }
}
