package org.openspheron.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Who this provider is on chain and how it behaves there. */
@ConfigMapping(prefix = "spheron.provider")
public interface ProviderSettings {
    /** Off: no key is read and nothing talks to the chain (the reconcilers still run). */
    @WithDefault("true")
    boolean enabled();

    /** The provider account's private key, hex. Prefer {@link #keyFile()} (a mounted Secret). */
    Optional<String> key();

    /** A file holding the private key in hex, e.g. a Secret mounted read-only. */
    Optional<Path> keyFile();

    /** The region the provider registers in and matches orders that require one, e.g. {@code us-east}. */
    Optional<String> region();

    /** The availability zone within the region; may stay unset. */
    Optional<String> zone();

    /** The manifest gateway's public HTTPS URL, as tenants reach it. */
    Optional<String> gatewayUrl();

    /** Tokens (whole units, decimals allowed) staked on registration. */
    @WithDefault("100")
    BigDecimal stake();

    /** Register on start when the account is not registered yet. */
    @WithDefault("true")
    boolean autoRegister();

    /** How often the operator checks whether this heartbeat epoch still needs its heartbeat. */
    @WithDefault("1m")
    Duration heartbeatInterval();

    /** How often accrued earnings are withdrawn. */
    @WithDefault("1h")
    Duration withdrawInterval();

    /** Tokens a lease must have accrued before a withdrawal is worth its gas. */
    @WithDefault("1")
    BigDecimal withdrawThreshold();

    /** How often the registry entry is compared with the cluster (reads only; writes are rate-limited below). */
    @WithDefault("30s")
    Duration attributesCheckInterval();

    /** The least time between two updates of the registry's attributes when the inventory keeps changing. */
    @WithDefault("10m")
    Duration attributesMinInterval();

    /**
     * How long before a lease's confirm deadline the manifest watchdog declines it when it is not Running (no
     * manifest came, or the tenant's workload did not come up), so the provider is not slashed for the tenant's
     * failure. Unset: 2 minutes, or a quarter of a shorter confirm window. It must leave time for the decline to
     * be mined before the deadline on this chain.
     */
    Optional<Duration> declineMargin();

    /** The longest wait between retries while the RPC endpoint is unreachable. */
    @WithDefault("5m")
    Duration maxBackoff();
}
