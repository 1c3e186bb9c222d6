package org.openspheron.chain;

/**
 * A send that was not made because an earlier transaction of the same account may still be mined: sending now would
 * pay for the same call twice (or queue behind it by nonce anyway). Nothing was sent; try again later.
 */
public final class PendingTransactionException extends ChainException {
    public PendingTransactionException(String action, String why) {
        super(action + " not sent: " + why);
    }
}
