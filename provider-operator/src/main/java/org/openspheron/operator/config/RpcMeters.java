package org.openspheron.operator.config;

import io.micrometer.core.instrument.MeterRegistry;
import org.openspheron.chain.rpc.RpcListener;
import org.openspheron.chain.rpc.RpcTransport;

/**
 * The chain transport's calls, failures and failovers as metrics (spheron_chain_rpc_* on /q/metrics), to see how
 * close the operator runs to its endpoint's rate limit. No URL tags: an RPC URL often carries an API key.
 */
final class RpcMeters implements RpcListener {
    private final MeterRegistry registry;

    RpcMeters(MeterRegistry registry) {
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
