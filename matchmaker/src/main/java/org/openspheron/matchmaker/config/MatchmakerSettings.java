package org.openspheron.matchmaker.config;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.openspheron.chain.ProtocolAddresses;
import org.openspheron.chain.index.IndexOptions;
import org.openspheron.chain.rpc.HeadSubscription;
import org.openspheron.chain.rpc.RpcListener;
import org.openspheron.chain.rpc.RpcOptions;
import org.openspheron.chain.rpc.RpcTransport;
import org.openspheron.matchmaker.scoring.ScoringPolicy;
import org.web3j.crypto.Credentials;
import org.web3j.utils.Numeric;

/**
 * Turns the raw configuration into what the matchmaker runs with, failing with a message that names the key. A
 * matchmaker with a typo in its policy would silently disagree with its peers, so unknown keys are errors too.
 */
public final class MatchmakerSettings {
    static final String PREFIX = "spheron.matchmaker.";
    static final Set<String> KNOWN = Set.of("key", "key-file", "peers", "max-backoff", "parallelism",
            "scoring.weights.placement", "scoring.weights.price", "scoring.weights.uptime",
            "scoring.weights.reputation", "scoring.weights.availability", "scoring.weights.slashes",
            "scoring.require-available-gpus", "scoring.draw-size", "scoring.draw-margin",
            "scoring.slash-half-life-blocks", "policy.kubernetes.enabled", "policy.kubernetes.name",
            "policy.kubernetes.namespace", "jwt.issuer", "jwt.key-id", "jwt.token-lifetime", "jwt.peer-timeout",
            "jwt.peer-keys", "jwt.signing-key");
    private static final Pattern INDEXED = Pattern.compile("\\[\\d+]$");

    private MatchmakerSettings() {
    }

    /**
     * How the chain's RPC endpoints are called, from {@code spheron.chain.rpc-url} and
     * {@code spheron.chain.requests-per-second}; fails naming the key when either cannot work.
     */
    public static IndexOptions index(ChainSettings chain) {
        var index = chain.index();
        try {
            return new IndexOptions(index.resyncEveryBlocks(), index.maxLogRange(), index.reorgDepth(),
                    index.resyncBatchSize());
        } catch (IllegalArgumentException e) {
            throw new InvalidConfiguration("spheron.chain.index: " + e.getMessage(), e);
        }
    }

    /** The newHeads subscription of {@code spheron.chain.ws-url}, when it is set; fails naming the key when it cannot work. */
    public static Optional<HeadSubscription> heads(ChainSettings chain) {
        Optional<String> url = chain.wsUrl().map(String::trim).filter(u -> !u.isEmpty());
        try {
            return url.map(u -> HeadSubscription.open(u, HeadSubscription.STALE_AFTER));
        } catch (IllegalArgumentException e) {
            throw new InvalidConfiguration("spheron.chain.ws-url: " + e.getMessage(), e);
        }
    }

    public static RpcOptions rpc(ChainSettings chain, RpcListener listener) {
        try {
            RpcTransport.parseUrls(chain.rpcUrl());
        } catch (IllegalArgumentException e) {
            throw new InvalidConfiguration("spheron.chain.rpc-url: " + e.getMessage(), e);
        }
        try {
            return RpcOptions.fromSettings(chain.requestsPerSecond(), chain.rpcRetryFor(), chain.rpcReturnToFirstAfter(),
                    listener);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfiguration(e.getMessage(), e);
        }
    }

    /** Fails on any {@code spheron.matchmaker.*} key the matchmaker does not know. */
    public static void rejectUnknownKeys(Iterable<String> propertyNames) {
        Set<String> unknown = new TreeSet<>();
        for (String name : propertyNames) {
            if (name.startsWith(PREFIX)) {
                String key = INDEXED.matcher(name.substring(PREFIX.length())).replaceAll("");
                if (!KNOWN.contains(key)) {
                    unknown.add(name);
                }
            }
        }
        if (!unknown.isEmpty()) {
            throw new InvalidConfiguration("unknown configuration keys " + unknown + "; known keys under "
                    + PREFIX + "* are " + new TreeSet<>(KNOWN));
        }
    }

    public static ScoringPolicy policy(MatchmakerConfig.Scoring s) {
        MatchmakerConfig.Weights w = s.weights();
        try {
            ScoringPolicy.Weights weights = new ScoringPolicy.Weights(w.placement(), w.price(), w.uptime(),
                    w.reputation(), w.availability(), w.slashes());
            if (!weights.anyPositive()) {
                throw new IllegalArgumentException("every weight but slashes is 0, so no bid could score above 0");
            }
            return new ScoringPolicy(weights, s.requireAvailableGpus(), s.drawSize(), s.drawMargin(),
                    s.slashHalfLifeBlocks());
        } catch (IllegalArgumentException e) {
            throw new InvalidConfiguration("spheron.matchmaker.scoring: " + e.getMessage(), e);
        }
    }

    /** The operator key from {@code key} or {@code key-file}. */
    public static Credentials operatorKey(MatchmakerConfig config) {
        String hex;
        if (config.key().isPresent()) {
            hex = config.key().get();
        } else if (config.keyFile().isPresent()) {
            try {
                hex = Files.readString(config.keyFile().get());
            } catch (IOException e) {
                throw new InvalidConfiguration("spheron.matchmaker.key-file: cannot read " + config.keyFile().get()
                        + ": " + e.getMessage(), e);
            }
        } else {
            throw new InvalidConfiguration("no operator key: set spheron.matchmaker.key (hex private key) or "
                    + "spheron.matchmaker.key-file (a file holding it)");
        }
        String clean = Numeric.cleanHexPrefix(hex.trim());
        if (!clean.matches("[0-9a-fA-F]{64}")) {
            throw new InvalidConfiguration("the operator key is not 32 bytes of hex (from "
                    + (config.key().isPresent() ? "spheron.matchmaker.key" : "spheron.matchmaker.key-file") + ")");
        }
        return Credentials.create(clean);
    }

    /** The protocol's addresses: the file if given, overridden key by key. */
    public static ProtocolAddresses addresses(ProtocolSettings p) {
        try {
            return ProtocolAddresses.resolve(p.addressesFile(), p.token(), p.registry(), p.orders(), p.matchmakers(),
                    p.certificates());
        } catch (RuntimeException e) {
            throw new InvalidConfiguration("spheron.protocol: " + e.getMessage()
                    + " (set spheron.protocol.addresses-file or spheron.protocol.{token,registry,orders,matchmakers,certificates})", e);
        }
    }

    /**
     * Checks that a JWT key location ({@code file:} URL or class-path resource, as smallrye-jwt reads it) exists, so
     * a missing key stops the start instead of failing every later request.
     */
    public static void requireKeyLocation(String key, String location, String what) {
        boolean found;
        if (location.startsWith("file:")) {
            found = Files.isReadable(java.nio.file.Path.of(location.substring("file:".length()).replaceFirst("^//", "")));
        } else if (location.startsWith("classpath:") || !location.contains(":")) {
            String resource = location.startsWith("classpath:") ? location.substring("classpath:".length()) : location;
            found = Thread.currentThread().getContextClassLoader().getResource(resource) != null;
        } else {
            found = true; // http(s): fetched by smallrye-jwt when first needed
        }
        if (!found) {
            throw new InvalidConfiguration(key + ": cannot read " + location + " (" + what
                    + "); give a file: URL, e.g. file:/etc/spheron/" + (key.endsWith("peer-keys") ? "peers-jwks.json" : "operator-jwt.pem"));
        }
    }

    public static List<String> peers(MatchmakerConfig config) {
        List<String> peers = config.peers().orElse(List.of());
        for (String peer : peers) {
            if (!peer.matches("https?://[^\\s/]+(/.*)?")) {
                throw new InvalidConfiguration("spheron.matchmaker.peers: not an http(s) base URL: " + peer);
            }
        }
        return peers.stream().map(p -> p.endsWith("/") ? p.substring(0, p.length() - 1) : p).toList();
    }
}
