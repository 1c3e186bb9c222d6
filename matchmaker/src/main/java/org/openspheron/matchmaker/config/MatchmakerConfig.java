package org.openspheron.matchmaker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** {@code spheron.matchmaker.*}: this operator's key, its peers and its scoring policy. */
@ConfigMapping(prefix = "spheron.matchmaker")
public interface MatchmakerConfig {

    /** The operator's private key as hex (with or without 0x); or use {@link #keyFile()}. */
    Optional<String> key();

    /** A file holding the operator's private key as hex. */
    Optional<Path> keyFile();

    /** Base URLs of the other operators' matchmakers, e.g. {@code https://mm-2.example:8080}. */
    Optional<List<String>> peers();

    /** Orders reconciled side by side in a pass (the work waits on RPC, not CPU). */
    @WithDefault("8")
    int parallelism();

    /** Longest wait between retries while the chain is unreachable. */
    @WithDefault("30s")
    Duration maxBackoff();

    Scoring scoring();

    Policy policy();

    Jwt jwt();

    /** Where the scoring policy may come from besides {@link #scoring()}. */
    interface Policy {
        Kubernetes kubernetes();
    }

    /**
     * A {@code MatchingPolicy} custom resource that overrides {@link #scoring()} field by field while it exists. Off
     * unless enabled, also in a cluster: a matchmaker without the CRD and its Role would otherwise only log errors.
     */
    interface Kubernetes {
        @WithDefault("false")
        boolean enabled();

        /** The one MatchingPolicy this operator follows. */
        @WithDefault("default")
        String name();

        /** Its namespace; by default the client's (in a pod: the pod's own, from its service account). */
        Optional<String> namespace();
    }

    interface Scoring {
        Weights weights();

        @WithDefault("true")
        boolean requireAvailableGpus();

        @WithDefault("5")
        int drawSize();

        @WithDefault("0.1")
        double drawMargin();

        @WithDefault("7200")
        long slashHalfLifeBlocks();
    }

    interface Weights {
        @WithDefault("0.25")
        double placement();

        @WithDefault("0.30")
        double price();

        @WithDefault("0.15")
        double uptime();

        @WithDefault("0.15")
        double reputation();

        @WithDefault("0.05")
        double availability();

        @WithDefault("0.30")
        double slashes();
    }

    interface Jwt {
        /** The {@code iss} of tokens this operator issues to call its peers; peers verify it. */
        @WithDefault("openspheron-matchmaker")
        String issuer();

        /** The {@code kid} of this operator's signing key in its peers' JWKS; defaults to the operator address. */
        Optional<String> keyId();

        @WithDefault("5m")
        Duration tokenLifetime();

        /** The public keys this operator trusts: a JWKS (one key per peer, kid = its address) or a PEM, as a file: URL. */
        @WithDefault("file:peers-jwks.json")
        String peerKeys();

        /** This operator's private JWT signing key (PEM, PKCS#8), as a file: URL. */
        @WithDefault("file:operator-jwt.pem")
        String signingKey();

        @WithDefault("5s")
        Duration peerTimeout();
    }
}
