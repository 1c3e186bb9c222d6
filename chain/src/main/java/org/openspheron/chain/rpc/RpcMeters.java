package org.openspheron.chain.rpc;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * The chain transport's calls, failures and failovers as metrics (spheron_chain_rpc_* on /q/metrics), to see how
 * close the process runs to its endpoint's rate limit. No URL tags: an RPC URL often carries an API key.
 */
public final class RpcMeters implements RpcListener {
    private final MeterRegistry registry;

    public RpcMeters(MeterRegistry registry) {
        this.registry = registry;
        RpcTransport.ERROR_KINDS.forEach(kind -> registry.counter("spheron.chain.rpc.errors", "kind", kind));
        registry.counter("spheron.chain.rpc.failovers");
    }

    @Override
    public void request(String method, String url) {
        registry.counter("spheron.chain.rpc.requests", "method", method).increment();
    }

    @Override
    public void error(String kind, String url) {
        registry.counter("spheron.chain.rpc.errors", "kind", kind).increment();
    }

    @Override
    public void failover(String from, String to) {
        registry.counter("spheron.chain.rpc.failovers").increment();
    }
}
