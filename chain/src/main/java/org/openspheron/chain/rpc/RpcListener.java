package org.openspheron.chain.rpc;

/**
 * Told about every call {@link RpcTransport} puts on the wire, every failed attempt and every failover, so an app
 * can count them in its own metrics. Called on the requesting thread: keep it cheap and never throw.
 */
public interface RpcListener {
    RpcListener NONE = new RpcListener() { };

    /** One JSON-RPC call sent to {@code url}; a batch of n calls is n of these, a retried call one per attempt. */
    default void request(String method, String url) {
    }

    /** An attempt failed without an answer; {@code kind} is one of {@link RpcTransport#ERROR_KINDS}. */
    default void error(String kind, String url) {
    }

    /** The transport moved from {@code from} to {@code to} after failures at {@code from}. */
    default void failover(String from, String to) {
    }
}
