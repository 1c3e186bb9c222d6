package org.openspheron.devnet;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openspheron.chain.LocalChain;
import org.web3j.utils.Numeric;

/**
 * The configuration the local run and the end-to-end tests hand to the packaged apps: the same keys an operator
 * sets in k8s/ (as environment variables there, as system properties here).
 */
public final class LocalConfig {
    private LocalConfig() {
    }

    /** Matchmaker {@code index} of the local run, listening on {@code httpPort}, with its peers' base URLs. */
    public static Map<String, String> matchmaker(String rpcUrl, Path home, int index, int httpPort, String peers) {
        Map<String, String> config = chain(rpcUrl, home);
        config.put("quarkus.http.port", Integer.toString(httpPort));
        config.put("spheron.matchmaker.key", hexKey(LocalSystem.FIRST_MATCHMAKER + index));
        config.put("spheron.matchmaker.peers", peers);
        return config;
    }

    /** The provider operator of {@code provider}, against its stand-in cluster. */
    public static Map<String, String> provider(String rpcUrl, Path home, LocalProvider provider) {
        Map<String, String> config = chain(rpcUrl, home);
        config.put("quarkus.http.port", Integer.toString(provider.httpPort()));
        config.put("quarkus.kubernetes-client.api-server-url", provider.cluster().url());
        config.put("quarkus.kubernetes-client.trust-certs", "true");
        config.put("spheron.provider.key", hexKey(LocalSystem.FIRST_PROVIDER + provider.index()));
        config.put("spheron.provider.region", provider.region());
        config.put("spheron.provider.zone", provider.zone());
        config.put("spheron.provider.gateway-url", provider.gatewayUrl());
        config.put("spheron.provider.stake", Long.toString(provider.stakeTokens()));
        config.put("spheron.provider.auto-register", "true");
        config.put("spheron.gateway.port", Integer.toString(provider.gatewayPort()));
        config.put("spheron.operator.public-host", "127.0.0.1");
        return config;
    }

    private static Map<String, String> chain(String rpcUrl, Path home) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("spheron.chain.rpc-url", rpcUrl);
        config.put("spheron.chain.confirmations", "0");
        config.put("spheron.chain.poll-interval", "500ms");
        config.put("spheron.protocol.addresses-file", home.resolve("addresses.properties").toString());
        return config;
    }

    private static String hexKey(int account) {
        return Numeric.toHexStringWithPrefixZeroPadded(LocalChain.devAccount(account).getEcKeyPair().getPrivateKey(), 64);
    }
}
