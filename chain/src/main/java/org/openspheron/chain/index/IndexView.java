package org.openspheron.chain.index;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The index at one head, immutable: what a pass over the open orders reads, side by side on several threads.
 *
 * @param head the block the view is as of
 * @param open the orders open at {@code head} (bid window running or match deadline not passed), by id, ascending
 * @param reorgs reorgs the index had seen when it made this view: a change tells a reader that anything it derived
 *        from a block hash (an order's seed) may have changed
 * @param unreadable ids of orders the chain lists as open that the reader cannot represent (past the protocol's
 *        limits, which only a contract deployed before them can hold), each with why: never in {@code open}, named
 *        here so that a reader can count and report what it passes over
 */
public record IndexView(long head, Map<Long, IndexedOrder> open, long reorgs, Map<Long, String> unreadable) {
    public IndexView {
        open = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(open));
        unreadable = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(unreadable));
    }

    public List<Long> openOrderIds() {
        return List.copyOf(open.keySet());
    }

    public Optional<IndexedOrder> order(long orderId) {
        return Optional.ofNullable(open.get(orderId));
    }
}
