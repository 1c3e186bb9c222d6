package org.openspheron.operator.gateway;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The gateway's settings ({@code spheron.gateway.*}); the chain's come from {@code spheron.chain.*}/{@code spheron.protocol.*}. */
@ConfigMapping(prefix = "spheron.gateway")
public interface GatewayConfig {
    /** Off for an operator that only reconciles (and in tests of other parts). */
    @WithDefault("true")
    boolean enabled();

    @WithDefault("0.0.0.0")
    String host();

    /** The mutual-TLS port users reach (the gateway URL the provider registered on chain). */
    @WithDefault("8443")
    int port();

    /**
     * This provider's account; only its leases are served. Unset: the account of the provider key
     * ({@code spheron.provider.key} or {@code key-file}). Set it only for a gateway that runs without the key.
     */
    Optional<String> providerAddress();

    /** DNS names and IP addresses for the server certificate's subject alternative names. */
    Optional<List<String>> hostNames();

    Identity identity();

    /** How long a certificate's on-chain owner is cached: revocation takes effect within this time. */
    @WithDefault("30s")
    Duration certificateCacheTtl();

    /** How long a lease read from chain is cached for status and logs (a manifest always reads it fresh). */
    @WithDefault("5s")
    Duration leaseCacheTtl();

    /** How long a manifest waits for the SpheronLease reconciler to create the lease's namespace before a 503. */
    @WithDefault("15s")
    Duration namespaceWait();

    @WithDefault("1048576")
    int maxManifestBytes();

    /** Where the server key and certificate are kept: a directory of PEM files, else a Kubernetes Secret. */
    interface Identity {
        Optional<Path> dir();

        @WithDefault("spheron-gateway-identity")
        String secret();

        /** The Secret's namespace; the operator's own namespace when absent. */
        Optional<String> namespace();
    }
}
