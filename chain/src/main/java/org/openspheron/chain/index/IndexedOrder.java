package org.openspheron.chain.index;

import java.util.List;
import org.openspheron.chain.Bid;
import org.openspheron.chain.Order;

/** An open order as the index holds it: the order (spec included) and its bids in chain order. */
public record IndexedOrder(Order order, List<Bid> bids) {
    public IndexedOrder {
        bids = List.copyOf(bids);
    }

    public long id() {
        return order.id();
    }
}
