package org.openspheron.matchmaker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** {@code spheron.chain.*}, shared by every Open Spheron app. */
@ConfigMapping(prefix = "spheron.chain")
public interface ChainSettings {
    /** One RPC URL, or a comma-separated list: the next is used while the one before fails. */
    @WithDefault("http://127.0.0.1:8545")
    String rpcUrl();

    /**
     * A WebSocket URL (ws:// or wss://) of the same chain, e.g. the provider's wss endpoint beside its https one: new
     * blocks come from its newHeads subscription instead of an eth_blockNumber call per poll; calls still go over
     * rpc-url. Unset: the head is polled.
     */
    Optional<String> wsUrl();

    /** The most RPC calls a second, all URLs together (a paid endpoint's limit); 0 for no limit. */
    @WithDefault("0")
    double requestsPerSecond();

    /**
     * How long one RPC call waits out an endpoint that rate-limits it (HTTP 429, Retry-After) before it fails and
     * the pass is tried later. An endpoint that does not answer at all fails the call sooner: once every URL failed
     * twice.
     */
    @WithDefault("30s")
    Duration rpcRetryFor();

    /** How long after a failover the first rpc-url is tried again. */
    @WithDefault("1m")
    Duration rpcReturnToFirstAfter();

    /** Blocks an order's bid-window end must be below the head before it is signed (reorg safety). */
    @WithDefault("2")
    int confirmations();

    @WithDefault("1s")
    Duration pollInterval();

    /** {@code spheron.chain.index.*}: how the process follows the chain's events instead of reading every order. */
    Index index();

    interface Index {
        /** Blocks between two full reads of the chain's state: the most blocks a lost event can stay unseen. */
        @WithDefault("1000")
        long resyncEveryBlocks();

        /** The most blocks one eth_getLogs asks for (halved while the node refuses a range as too large). */
        @WithDefault("2000")
        int maxLogRange();

        /** Block hashes kept to tell how deep a reorg went. */
        @WithDefault("64")
        int reorgDepth();

        /** The most views (three per order) in one call of a full read, or in one JSON-RPC batch where needed. */
        @WithDefault("100")
        int resyncBatchSize();
    }
}
