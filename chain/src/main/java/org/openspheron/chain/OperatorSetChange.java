package org.openspheron.chain;

import java.math.BigInteger;
import java.time.Instant;

/**
 * A proposed change to the matchmaker operator set: it waits out the set's change delay after its proposal, then
 * anyone may execute it; the owner may cancel it until then.
 *
 * @param id the proposal's id (from 1)
 * @param kind what it does
 * @param account the operator added or removed; {@code null} for a threshold change
 * @param threshold the threshold the set has once the change is executed
 * @param executableAt the earliest chain time it can be executed
 * @param state where it stands
 */
public record OperatorSetChange(long id, Kind kind, String account, int threshold, Instant executableAt, State state) {

    /** The ordinals match the contract's {@code ChangeKind}. */
    public enum Kind {
        ADD_OPERATOR, REMOVE_OPERATOR, SET_THRESHOLD;

        static Kind of(BigInteger ordinal) {
            return values()[ordinal.intValueExact()];
        }
    }

    /** The ordinals match the contract's {@code ChangeState}. */
    public enum State {
        NONE, PENDING, EXECUTED, CANCELLED;

        static State of(BigInteger ordinal) {
            return values()[ordinal.intValueExact()];
        }
    }

    public boolean isPending() {
        return state == State.PENDING;
    }

    /** Whether {@code execute} would be accepted at chain time {@code now} (the set permitting). */
    public boolean isDueAt(Instant now) {
        return isPending() && !now.isBefore(executableAt);
    }
}
