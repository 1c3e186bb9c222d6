package org.openspheron.operator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.rpc.RpcListener;

/** {@code spheron.chain.rpc-url} as a failover list and {@code spheron.chain.requests-per-second}, checked by key. */
class RpcSettingsTest {
    @Test
    void aListOfRpcUrlsAndARequestBudgetAreWhatTheTransportGets() {
        ChainSettings chain = chain(Map.of("spheron.chain.rpc-url", "https://a.example/key, https://b.example",
                "spheron.chain.requests-per-second", "25"));

        assertThat(ProtocolChain.rpcOptions(chain, RpcListener.NONE).requestsPerSecond()).isEqualTo(25);
        assertThat(chain(Map.of()).requestsPerSecond()).isZero();
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

    private static ChainSettings chain(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withMapping(ChainSettings.class)
                .withSources(new PropertiesConfigSource(properties, "test", 100))
                .build().getConfigMapping(ChainSettings.class);
    }
}
