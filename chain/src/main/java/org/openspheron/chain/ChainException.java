package org.openspheron.chain;

/** Something went wrong talking to the chain: the node, the network or the protocol's contracts. */
public class ChainException extends RuntimeException {
    public ChainException(String message) {
        super(message);
    }

    public ChainException(String message, Throwable cause) {
        super(message, cause);
    }
}
