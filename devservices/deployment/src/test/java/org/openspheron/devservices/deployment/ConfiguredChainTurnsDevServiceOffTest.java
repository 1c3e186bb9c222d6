package org.openspheron.devservices.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.QuarkusUnitTest;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A developer's own chain wins: with spheron.chain.rpc-url set, the dev service starts nothing and injects nothing. */
class ConfiguredChainTurnsDevServiceOffTest {
    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest()
            .overrideConfigKey("spheron.devservices.enabled", "true")
            .overrideConfigKey("spheron.chain.rpc-url", "http://127.0.0.1:1");

    @Test
    void theDevelopersRpcUrlStandsAndNoDevChainIsInjected() {
        var config = ConfigProvider.getConfig();
        assertThat(config.getValue("spheron.chain.rpc-url", String.class)).isEqualTo("http://127.0.0.1:1");
        assertThat(config.getOptionalValue("spheron.protocol.addresses-file", String.class)).isEmpty();
        assertThat(config.getOptionalValue("spheron.matchmaker.key", String.class)).isEmpty();
    }
}
