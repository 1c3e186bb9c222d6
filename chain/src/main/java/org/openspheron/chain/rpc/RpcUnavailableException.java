package org.openspheron.chain.rpc;

import java.io.IOException;

/**
 * No RPC URL answered a call within the retry budget. An {@link IOException}, as web3j's own transport failures
 * are, so every caller that already treats those as "the endpoint is away" (and wraps them in a
 * {@link org.openspheron.chain.ChainException}) keeps doing so.
 */
public class RpcUnavailableException extends IOException {
    public RpcUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
