package org.openspheron.chain;

/** A lease's state on chain; the ordinal matches the contract's enum. */
public enum LeaseState {
    NONE, ACTIVE, CLOSED, FAILED;

    static LeaseState of(java.math.BigInteger ordinal) {
        return values()[ordinal.intValueExact()];
    }
}
