package org.openspheron.chain.index;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The index's figures as metrics (spheron_chain_index_* on /q/metrics): how far behind the head it runs, and how
 * often it had to read the whole state again. Like {@link org.openspheron.chain.rpc.RpcMeters}, only apps on
 * Micrometer load this class.
 */
public final class IndexMeters {
    private IndexMeters() {
    }

    /** Binds to {@code stats}, read at each scrape: an app binds before it connects, when no index exists yet. */
    public static void bind(MeterRegistry registry, Supplier<IndexStats> index) {
        Gauge.builder("spheron.chain.index.lag", index, i -> i.get().lag()).baseUnit("blocks")
                .description("blocks between the chain's head and the last block the index reflects")
                .strongReference(true).register(registry);
        Gauge.builder("spheron.chain.index.open.orders", index, i -> i.get().openOrders())
                .strongReference(true).register(registry);
        counter(registry, "spheron.chain.index.reorgs", index, "reorgs detected", s -> s.reorgs());
        counter(registry, "spheron.chain.index.resyncs", index, "full reads of the chain's state", s -> s.resyncs());
        counter(registry, "spheron.chain.index.gaps", index, "missed events noticed", s -> s.gaps());
        counter(registry, "spheron.chain.index.log.ranges", index, "eth_getLogs ranges fetched", s -> s.logRanges());
        counter(registry, "spheron.chain.index.log.ranges.refused", index, "ranges the node refused as too large",
                s -> s.refusedRanges());
    }

    private static void counter(MeterRegistry registry, String name, Supplier<IndexStats> index, String description,
                                ToLongFunction<IndexStats> value) {
        FunctionCounter.builder(name, index, i -> value.applyAsLong(i.get())).description(description)
                .register(registry);
    }
}
