package org.openspheron.chain;

/** An order's state on chain; the ordinal matches the contract's enum. */
public enum OrderState {
    NONE, OPEN, MATCHED, CANCELLED;

    static OrderState of(java.math.BigInteger ordinal) {
        return values()[ordinal.intValueExact()];
    }
}
