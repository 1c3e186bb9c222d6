package org.openspheron.chain;

/**
 * What became of an order, without its spec: one view ({@code getOrder}) where the whole {@link Order} takes two.
 *
 * @param leaseId the lease the match made; 0 before a match
 * @param anchoredSeed the seed the match used; null before the match
 */
public record OrderStatus(long id, OrderState state, long bidWindowEnd, long leaseId, String anchoredSeed) {
}
