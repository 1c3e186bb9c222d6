package org.openspheron.chain.rpc;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** The transport's own counters, kept whatever listener the app adds; read them through {@link #snapshot()}. */
public final class RpcStats implements RpcListener {
    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final LongAdder failovers = new LongAdder();
    private final LongAdder httpRequests = new LongAdder();

    @Override
    public void request(String method, String url) {
        requests.computeIfAbsent(method, m -> new LongAdder()).increment();
    }

    @Override
    public void error(String kind, String url) {
        errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    @Override
    public void failover(String from, String to) {
        failovers.increment();
    }

    /** One HTTP request went out, holding one call or a batch of them. */
    void posted() {
        httpRequests.increment();
    }

    public Snapshot snapshot() {
        return new Snapshot(copy(requests), copy(errors), failovers.sum(), httpRequests.sum());
    }

    private static Map<String, Long> copy(Map<String, LongAdder> counters) {
        Map<String, Long> copy = new TreeMap<>();
        counters.forEach((key, count) -> copy.put(key, count.sum()));
        return Map.copyOf(copy);
    }

    /**
     * The counters at one moment, each counted since the connection was made.
     *
     * @param requestsByMethod calls put on the wire per JSON-RPC method, retries included (what a provider bills)
     * @param errorsByKind failed attempts per kind ({@link RpcTransport#ERROR_KINDS})
     * @param failovers moves from one RPC URL to the next
     * @param httpRequests HTTP requests put on the wire, retries included: a JSON-RPC batch is one, however many
     *        calls it holds (round trips, and what an endpoint that limits HTTP requests rather than calls counts)
     */
    public record Snapshot(Map<String, Long> requestsByMethod, Map<String, Long> errorsByKind, long failovers,
            long httpRequests) {
        public long requests() {
            return requestsByMethod.values().stream().mapToLong(Long::longValue).sum();
        }

        public long requests(String method) {
            return requestsByMethod.getOrDefault(method, 0L);
        }

        public long errors(String kind) {
            return errorsByKind.getOrDefault(kind, 0L);
        }

        /** HTTP 429s and rate-limit answers. */
        public long rateLimited() {
            return errors(RpcTransport.RATE_LIMITED);
        }
    }
}
