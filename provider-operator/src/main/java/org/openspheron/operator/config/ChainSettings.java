package org.openspheron.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The RPC endpoint; the same names as every Open Spheron component. */
@ConfigMapping(prefix = "spheron.chain")
public interface ChainSettings {
    /** One RPC URL, or a comma-separated list: the next is used while the one before fails. */
    @WithDefault("http://127.0.0.1:8545")
    String rpcUrl();

    /** The most RPC calls a second, all URLs together (a paid endpoint's limit); 0 for no limit. */
    @WithDefault("0")
    double requestsPerSecond();

    /** Blocks a transaction waits on top of its own before the operator trusts it. */
    @WithDefault("0")
    int confirmations();

    /** How often the operator looks for a new block; events only wake it earlier. */
    @WithDefault("2s")
    Duration pollInterval();
}
