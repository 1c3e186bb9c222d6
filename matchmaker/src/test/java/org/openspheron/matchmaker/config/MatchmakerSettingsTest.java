package org.openspheron.matchmaker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openspheron.matchmaker.scoring.ScoringPolicy;

/** Bad configuration stops the start with a message that names the key; the same mapping the app uses. */
class MatchmakerSettingsTest {
    // Durations like "5s" are Quarkus' notation; the app gets the same converter from Quarkus.
    private static final String KEY = "0x" + "ab".repeat(32);

    @Test
    void weightThatDoesNotParseFailsNamingTheKey() {
        assertThatThrownBy(() -> mapping(Map.of("spheron.matchmaker.scoring.weights.price", "cheap")))
                .hasMessageContaining("spheron.matchmaker.scoring.weights.price")
                .hasMessageContaining("cheap");
    }

    @Test
    void weightsThatCannotRaiseAnyScoreFailTheStart() {
        Map<String, String> zero = new HashMap<>();
        for (String w : List.of("placement", "price", "uptime", "reputation", "availability")) {
            zero.put("spheron.matchmaker.scoring.weights." + w, "0");
        }
        MatchmakerConfig config = mapping(zero);
        assertThatThrownBy(() -> MatchmakerSettings.policy(config.scoring()))
                .isInstanceOf(InvalidConfiguration.class)
                .hasMessageContaining("spheron.matchmaker.scoring")
                .hasMessageContaining("every weight but slashes is 0");
    }

    @Test
    void theMatchingPolicyWatchIsOffByDefaultAndItsKeysAreKnown() {
        MatchmakerConfig config = mapping(Map.of());
        assertThat(config.policy().kubernetes().enabled()).isFalse();
        assertThat(config.policy().kubernetes().name()).isEqualTo("default");
        assertThat(config.policy().kubernetes().namespace()).isEmpty();
        MatchmakerSettings.rejectUnknownKeys(List.of("spheron.matchmaker.policy.kubernetes.enabled",
                "spheron.matchmaker.policy.kubernetes.name", "spheron.matchmaker.policy.kubernetes.namespace"));
    }

    @Test
    void negativeWeightFailsNamingTheWeight() {
        MatchmakerConfig config = mapping(Map.of("spheron.matchmaker.scoring.weights.uptime", "-0.5"));
        assertThatThrownBy(() -> MatchmakerSettings.policy(config.scoring()))
                .isInstanceOf(InvalidConfiguration.class)
                .hasMessageContaining("spheron.matchmaker.scoring")
                .hasMessageContaining("weight uptime must be a finite number >= 0, not -0.5");
    }

    @Test
    void unknownKeyUnderThePrefixFailsListingIt() {
        assertThatThrownBy(() -> MatchmakerSettings.rejectUnknownKeys(List.of("spheron.matchmaker.key",
                "spheron.matchmaker.scoring.weights.prise", "spheron.matchmaker.peers[0]", "quarkus.http.port")))
                .isInstanceOf(InvalidConfiguration.class)
                .hasMessageContaining("unknown configuration keys [spheron.matchmaker.scoring.weights.prise]");
    }

    @Test
    void everyKeyOfTheMappingIsKnown() {
        SmallRyeConfig config = config(Map.of());
        List<String> names = new java.util.ArrayList<>();
        config.getPropertyNames().forEach(names::add);
        MatchmakerSettings.rejectUnknownKeys(names);
        for (String known : MatchmakerSettings.KNOWN) {
            assertThat(known).matches("[a-z.-]+");
        }
    }

    @Test
    void configuredPolicyIsWhatTheScorerGets() {
        MatchmakerConfig config = mapping(Map.of("spheron.matchmaker.scoring.weights.price", "0.9",
                "spheron.matchmaker.scoring.draw-size", "3"));
        ScoringPolicy policy = MatchmakerSettings.policy(config.scoring());
        assertThat(policy.weights().price()).isEqualTo(0.9);
        assertThat(policy.drawSize()).isEqualTo(3);
        assertThat(policy.weights().placement()).isEqualTo(ScoringPolicy.defaults().weights().placement());
    }

    @Test
    void missingOperatorKeyFailsSayingWhichKeysToSet() {
        assertThatThrownBy(() -> MatchmakerSettings.operatorKey(mapping(Map.of())))
                .isInstanceOf(InvalidConfiguration.class)
                .hasMessageContaining("spheron.matchmaker.key")
                .hasMessageContaining("spheron.matchmaker.key-file");
        assertThatThrownBy(() -> MatchmakerSettings.operatorKey(mapping(Map.of("spheron.matchmaker.key", "0x1234"))))
                .hasMessageContaining("not 32 bytes of hex");
        assertThat(MatchmakerSettings.operatorKey(mapping(Map.of("spheron.matchmaker.key", KEY))).getAddress())
                .startsWith("0x");
    }

    @Test
    void badContractAddressFailsNamingIt() {
        Map<String, String> props = new HashMap<>(Map.of(
                "spheron.protocol.token", "0x" + "11".repeat(20), "spheron.protocol.registry", "0x" + "22".repeat(20),
                "spheron.protocol.orders", "0xnope", "spheron.protocol.matchmakers", "0x" + "44".repeat(20),
                "spheron.protocol.certificates", "0x" + "55".repeat(20)));
        ProtocolSettings protocol = config(props).getConfigMapping(ProtocolSettings.class);
        assertThatThrownBy(() -> MatchmakerSettings.addresses(protocol))
                .isInstanceOf(InvalidConfiguration.class)
                .hasMessageContaining("orders address is not a 20-byte hex address: 0xnope");
    }

    @Test
    void peerThatIsNoUrlFails() {
        assertThatThrownBy(() -> MatchmakerSettings.peers(mapping(Map.of("spheron.matchmaker.peers", "mm-2:8080"))))
                .hasMessageContaining("not an http(s) base URL: mm-2:8080");
    }

    @Test
    void aListOfRpcUrlsAndARequestBudgetAreWhatTheTransportGets() {
        ChainSettings chain = config(Map.of("spheron.chain.rpc-url", "https://a.example/key, https://b.example",
                "spheron.chain.requests-per-second", "25")).getConfigMapping(ChainSettings.class);
        assertThat(MatchmakerSettings.rpc(chain, org.openspheron.chain.rpc.RpcListener.NONE).requestsPerSecond())
                .isEqualTo(25);
        assertThat(config(Map.of()).getConfigMapping(ChainSettings.class).requestsPerSecond()).isZero();
    }

    @Test
    void howLongACallIsRetriedAndWhenTheFirstUrlIsTriedAgainAreSettings() {
        var none = org.openspheron.chain.rpc.RpcListener.NONE;
        var defaults = MatchmakerSettings.rpc(config(Map.of()).getConfigMapping(ChainSettings.class), none);
        assertThat(defaults.retryFor()).isEqualTo(java.time.Duration.ofSeconds(30));
        assertThat(defaults.returnToFirstAfter()).isEqualTo(java.time.Duration.ofMinutes(1));
        var set = MatchmakerSettings.rpc(config(Map.of("spheron.chain.rpc-retry-for", "2m",
                "spheron.chain.rpc-return-to-first-after", "10m")).getConfigMapping(ChainSettings.class), none);
        assertThat(set.retryFor()).isEqualTo(java.time.Duration.ofMinutes(2));
        assertThat(set.returnToFirstAfter()).isEqualTo(java.time.Duration.ofMinutes(10));
        ChainSettings zero = config(Map.of("spheron.chain.rpc-retry-for", "0s")).getConfigMapping(ChainSettings.class);
        assertThatThrownBy(() -> MatchmakerSettings.rpc(zero, none))
                .isInstanceOf(InvalidConfiguration.class).hasMessageContaining("spheron.chain.rpc-retry-for");
    }

    @Test
    void anRpcUrlListOrBudgetThatCannotWorkFailsNamingTheKey() {
        ChainSettings noUrl = config(Map.of("spheron.chain.rpc-url", "https://a.example, node-2:8545"))
                .getConfigMapping(ChainSettings.class);
        assertThatThrownBy(() -> MatchmakerSettings.rpc(noUrl, org.openspheron.chain.rpc.RpcListener.NONE))
                .isInstanceOf(InvalidConfiguration.class)
                .hasMessageContaining("spheron.chain.rpc-url").hasMessageContaining("node-2:8545");
        ChainSettings negative = config(Map.of("spheron.chain.requests-per-second", "-5"))
                .getConfigMapping(ChainSettings.class);
        assertThatThrownBy(() -> MatchmakerSettings.rpc(negative, org.openspheron.chain.rpc.RpcListener.NONE))
                .isInstanceOf(InvalidConfiguration.class)
                .hasMessageContaining("spheron.chain.requests-per-second");
    }

    @Test
    void aWebSocketUrlForNewHeadsIsOptionalAndMustBeWsOrWss() {
        assertThat(MatchmakerSettings.heads(config(Map.of()).getConfigMapping(ChainSettings.class))).isEmpty();
        ChainSettings https = config(Map.of("spheron.chain.ws-url", "https://a.example")).getConfigMapping(ChainSettings.class);
        assertThatThrownBy(() -> MatchmakerSettings.heads(https))
                .isInstanceOf(InvalidConfiguration.class)
                .hasMessageContaining("spheron.chain.ws-url").hasMessageContaining("https://a.example");
    }

    @Test
    void missingJwtKeyFileFailsNamingTheKey() throws Exception {
        assertThatThrownBy(() -> MatchmakerSettings.requireKeyLocation("spheron.matchmaker.jwt.peer-keys",
                "file:/nonexistent/peers-jwks.json", "peers' public keys"))
                .isInstanceOf(InvalidConfiguration.class)
                .hasMessageContaining("spheron.matchmaker.jwt.peer-keys: cannot read file:/nonexistent/peers-jwks.json");
        java.nio.file.Path file = java.nio.file.Files.createTempFile("jwks", ".json");
        MatchmakerSettings.requireKeyLocation("spheron.matchmaker.jwt.peer-keys", file.toUri().toString(), "keys");
        java.nio.file.Files.delete(file);
    }

    private static MatchmakerConfig mapping(Map<String, String> properties) {
        return config(properties).getConfigMapping(MatchmakerConfig.class);
    }

    private static SmallRyeConfig config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withMapping(MatchmakerConfig.class)
                .withMapping(ProtocolSettings.class)
                .withMapping(ChainSettings.class)
                .withSources(new PropertiesConfigSource(properties, "test", 100))
                .build();
    }
}
