package org.openspheron.operator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.rpc.RpcListener;

/**
 * {@code spheron.chain.rpc-url} as a failover list, {@code spheron.chain.requests-per-second}, {@code ws-url} and
 * {@code index.*}, checked by key.
 */
class RpcSettingsTest {
    @Test
    void aListOfRpcUrlsAndARequestBudgetAreWhatTheTransportGets() {
        ChainSettings chain = chain(Map.of("spheron.chain.rpc-url", "https://a.example/key, https://b.example",
                "spheron.chain.requests-per-second", "25"));

        assertThat(ProtocolChain.rpcOptions(chain, RpcListener.NONE).requestsPerSecond()).isEqualTo(25);
        assertThat(chain(Map.of()).requestsPerSecond()).isZero();
    }

    @Test
    void howLongACallIsRetriedAndWhenTheFirstUrlIsTriedAgainAreSettings() {
        var defaults = ProtocolChain.rpcOptions(chain(Map.of()), RpcListener.NONE);
        assertThat(defaults.retryFor()).isEqualTo(java.time.Duration.ofSeconds(30));
        assertThat(defaults.returnToFirstAfter()).isEqualTo(java.time.Duration.ofMinutes(1));
        var set = ProtocolChain.rpcOptions(chain(Map.of("spheron.chain.rpc-retry-for", "2m",
                "spheron.chain.rpc-return-to-first-after", "10m")), RpcListener.NONE);
        assertThat(set.retryFor()).isEqualTo(java.time.Duration.ofMinutes(2));
        assertThat(set.returnToFirstAfter()).isEqualTo(java.time.Duration.ofMinutes(10));
        assertThatThrownBy(() -> ProtocolChain.rpcOptions(chain(Map.of("spheron.chain.rpc-retry-for", "0s")),
                RpcListener.NONE)).isInstanceOf(SettingsException.class).hasMessageContaining("spheron.chain.rpc-retry-for");
        assertThatThrownBy(() -> ProtocolChain.rpcOptions(chain(Map.of("spheron.chain.rpc-return-to-first-after", "0s")),
                RpcListener.NONE)).isInstanceOf(SettingsException.class)
                .hasMessageContaining("spheron.chain.rpc-return-to-first-after");
    }

    @Test
    void anRpcUrlListOrBudgetThatCannotWorkFailsNamingTheKey() {
        assertThatThrownBy(() -> ProtocolChain.rpcOptions(chain(Map.of("spheron.chain.rpc-url", "https://a.example,,ftp://b")),
                RpcListener.NONE))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("spheron.chain.rpc-url").hasMessageContaining("ftp://b");
        assertThatThrownBy(() -> ProtocolChain.rpcOptions(chain(Map.of("spheron.chain.requests-per-second", "-1")),
                RpcListener.NONE))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("spheron.chain.requests-per-second");
    }

    @Test
    void aWebSocketUrlForNewHeadsIsOptionalAndMustBeWsOrWss() {
        assertThat(ProtocolChain.wsUrl(chain(Map.of()))).isEmpty();
        assertThat(ProtocolChain.wsUrl(chain(Map.of("spheron.chain.ws-url", " wss://a.example/key "))))
                .contains("wss://a.example/key");
        assertThatThrownBy(() -> ProtocolChain.wsUrl(chain(Map.of("spheron.chain.ws-url", "https://a.example"))))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("spheron.chain.ws-url").hasMessageContaining("https://a.example");
    }

    @Test
    void indexSettingsThatCannotWorkFailNamingTheKey() {
        assertThat(ProtocolChain.indexOptions(chain(Map.of())).resyncEveryBlocks()).isEqualTo(1000);
        assertThatThrownBy(() -> ProtocolChain.indexOptions(chain(Map.of("spheron.chain.index.max-log-range", "0"))))
                .isInstanceOf(SettingsException.class).hasMessageContaining("spheron.chain.index");
    }

    private static ChainSettings chain(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withMapping(ChainSettings.class)
                .withSources(new PropertiesConfigSource(properties, "test", 100))
                .build().getConfigMapping(ChainSettings.class);
    }
}
