package org.openspheron.matchmaker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** {@code spheron.chain.*}, shared by every Open Spheron app. */
@ConfigMapping(prefix = "spheron.chain")
public interface ChainSettings {
    /** One RPC URL, or a comma-separated list: the next is used while the one before fails. */
    @WithDefault("http://127.0.0.1:8545")
    String rpcUrl();

    /** The most RPC calls a second, all URLs together (a paid endpoint's limit); 0 for no limit. */
    @WithDefault("0")
    double requestsPerSecond();

    /** Blocks an order's bid-window end must be below the head before it is signed (reorg safety). */
    @WithDefault("2")
    int confirmations();

    @WithDefault("1s")
    Duration pollInterval();
}
