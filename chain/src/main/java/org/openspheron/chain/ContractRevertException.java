package org.openspheron.chain;

import java.util.List;

/**
 * A contract refused a call: the custom error it reverted with, decoded from the ABI, e.g.
 * {@code submitBid reverted: BidWindowClosed(orderId=7, bidWindowEnd=120)}. When it comes from gas estimation
 * nothing was sent.
 */
public final class ContractRevertException extends ChainException {
    private final String errorName;
    private final List<Object> arguments;
    private final String rendered;

    public ContractRevertException(String action, String errorName, List<Object> arguments, String rendered) {
        super(action + " reverted: " + rendered);
        this.errorName = errorName;
        this.arguments = List.copyOf(arguments);
        this.rendered = rendered;
    }

    /** The custom error's name, e.g. {@code NotTenant}; {@code Error} for a string reason, {@code Panic} for a panic. */
    public String errorName() {
        return errorName;
    }

    public List<Object> arguments() {
        return arguments;
    }

    /** The same error, described as the failure of {@code action}. */
    public ContractRevertException during(String action) {
        return new ContractRevertException(action, errorName, arguments, rendered);
    }
}
