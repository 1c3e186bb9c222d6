package org.openspheron.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Asserts that a chain call is refused with a given custom error, decoded from the contract's ABI. */
public final class Reverts {
    private Reverts() {
    }

    /** Runs {@code call}, expects a {@link ContractRevertException} named {@code errorName}, and returns it. */
    public static ContractRevertException assertReverts(String errorName, ThrowingCallable call) {
        ContractRevertException revert = catchThrowableOfType(ContractRevertException.class, call);
        assertThat(revert).as("expected a revert with %s", errorName).isNotNull();
        assertThat(revert.errorName()).as(revert.getMessage()).isEqualTo(errorName);
        return revert;
    }
}
