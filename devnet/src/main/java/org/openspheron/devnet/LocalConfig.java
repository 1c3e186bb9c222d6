package org.openspheron.devnet;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openspheron.chain.LocalChain;
import org.web3j.crypto.Keys;
import org.web3j.utils.Numeric;

/**
 * The configuration the local run and the end-to-end tests hand to the packaged apps: the same keys an operator
 * sets in k8s/ (as environment variables there, as system properties here). The one place that knows which key
 * each app reads.
 */
public final class LocalConfig {
    /** The local run holds public development keys: nothing of it listens beyond this machine. */
    static final String LOOPBACK = "127.0.0.1";

    private LocalConfig() {
    }

    /**
     * Matchmaker {@code index} of the local run, listening on {@code httpPort}, with its peers' base URLs and the JWT
     * keys {@link MatchmakerKeys} wrote (its own signing key; the JWKS of every operator's public key).
     */
    public static Map<String, String> matchmaker(String rpcUrl, Path home, int index, int httpPort, String peers) {
        Map<String, String> config = chain(rpcUrl, home);
        config.put("quarkus.http.port", Integer.toString(httpPort));
        config.put("quarkus.http.host", LOOPBACK);
        config.put("spheron.matchmaker.key", hexKey(LocalSystem.FIRST_MATCHMAKER + index));
        if (!peers.isEmpty()) {
            config.put("spheron.matchmaker.peers", peers);
        }
        config.put("spheron.matchmaker.jwt.signing-key", MatchmakerKeys.signingKey(home, index).toUri().toString());
        config.put("spheron.matchmaker.jwt.peer-keys", MatchmakerKeys.jwks(home).toUri().toString());
        return config;
    }

    /** The provider operator of {@code provider}, against its cluster as the operator's ServiceAccount. */
    public static Map<String, String> provider(String rpcUrl, Path home, LocalProvider provider) {
        return provider(rpcUrl, home, provider, provider.operatorAccess());
    }

    /** The provider operator of {@code provider}, against the API server {@code cluster} names. */
    public static Map<String, String> provider(String rpcUrl, Path home, LocalProvider provider, ClusterAccess cluster) {
        Map<String, String> config = chain(rpcUrl, home);
        config.put("quarkus.http.port", Integer.toString(provider.httpPort()));
        config.put("quarkus.http.host", LOOPBACK);
        config.put("quarkus.kubernetes-client.api-server-url", cluster.apiServerUrl());
        config.put("quarkus.kubernetes-client.ca-cert-data", cluster.caCertData());
        config.put("quarkus.kubernetes-client.token", cluster.token());
        config.put("spheron.provider.key", hexKey(LocalSystem.FIRST_PROVIDER + provider.index()));
        config.put("spheron.provider.region", provider.region());
        config.put("spheron.provider.zone", provider.zone());
        config.put("spheron.provider.gateway-url", provider.gatewayUrl());
        config.put("spheron.provider.stake", Long.toString(provider.stakeTokens()));
        config.put("spheron.provider.auto-register", "true");
        // A devnet chain makes a block a second: look often, so that the local flow takes seconds, not minutes.
        config.put("spheron.provider.attributes-check-interval", "5s");
        config.put("spheron.provider.attributes-min-interval", "10s");
        config.put("spheron.provider.max-backoff", "5s");
        for (String model : provider.nodes().stream().map(n -> gpuModel(n.product())).distinct().toList()) {
            config.put("spheron.pricing.gpu." + model, provider.pricePerGpuHour());
        }
        config.put("spheron.gateway.port", Integer.toString(provider.gatewayPort()));
        config.put("spheron.gateway.host", LOOPBACK);
        config.put("spheron.gateway.provider-address", Keys.toChecksumAddress(provider.key().getAddress()));
        config.put("spheron.gateway.host-names", "127.0.0.1,localhost");
        config.put("spheron.gateway.identity.dir", home.resolve("provider-" + provider.index() + "-gateway").toString());
        config.put("spheron.operator.public-host", "127.0.0.1");
        // Leased IPs (Akash SDL ip endpoints) from a documentation range (RFC 5737), four per provider: no load
        // balancer controller runs here, so kube-proxy's externalIPs carry them, as on a provider routing its pool.
        config.put("spheron.operator.ip-pool", "192.0.2." + (16 * provider.index() + 16) + "/30");
        config.put("spheron.operator.ip-mode", "external-ips");
        if (provider.cluster() != null && provider.cluster().managed()) {
            // What the local run set up on its own clusters (LocalSystem): on an existing one the names would not exist.
            if (provider.tdxNode() != null) {
                config.put("spheron.operator.tee-runtime-classes", "tdx=" + LocalSystem.TDX_RUNTIME_CLASS);
            }
            if (provider.beta3Class() != null) {
                config.put("spheron.operator.storage-classes.beta3", provider.beta3Class());
            }
        }
        return config;
    }

    private static Map<String, String> chain(String rpcUrl, Path home) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("spheron.chain.rpc-url", rpcUrl);
        // anvil answers WebSocket on its HTTP port: new blocks wake the apps at once, and polling is the fallback
        config.put("spheron.chain.ws-url", rpcUrl.replaceFirst("^http", "ws"));
        config.put("spheron.chain.confirmations", "0");
        config.put("spheron.chain.poll-interval", "500ms");
        config.put("spheron.protocol.addresses-file", home.resolve("addresses.properties").toString());
        return config;
    }

    /**
     * The model token the operator prices by, from a node's product label ({@code NVIDIA-A100-SXM4-80GB} → A100,
     * {@code NVIDIA-GeForce-RTX-4090} → RTX4090): the provider operator's own rule, for the labels the devnet uses.
     */
    static String gpuModel(String product) {
        List<String> words = java.util.Arrays.stream(product.toUpperCase(Locale.ROOT).split("[-_\\s]+"))
                .filter(w -> !w.isEmpty() && !List.of("NVIDIA", "TESLA", "GEFORCE", "QUADRO").contains(w)).toList();
        if (words.get(0).equals("RTX") && words.size() > 1) {
            return words.get(1).startsWith("A") ? words.get(1) : "RTX" + words.get(1);
        }
        return words.get(0);
    }

    static String hexKey(int account) {
        return Numeric.toHexStringWithPrefixZeroPadded(LocalChain.devAccount(account).getEcKeyPair().getPrivateKey(), 64);
    }
}
