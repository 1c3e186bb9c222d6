package org.openspheron.operator.inventory;

/** Where a demand would go, or why it fits nowhere. */
public sealed interface Placement {
    record OnNode(String node) implements Placement {
    }

    record Nowhere(Shortfall shortfall) implements Placement {
    }
}
