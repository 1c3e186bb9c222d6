package org.openspheron.devservices.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.QuarkusUnitTest;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The apps' own tests start their chains (ProtocolFixture): in test mode the dev service waits to be asked. */
class TestModeWithoutOptInTest {
    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest();

    @Test
    void noDevChainIsInjectedInTestModeByDefault() {
        var config = ConfigProvider.getConfig();
        assertThat(config.getOptionalValue("spheron.chain.rpc-url", String.class)).isEmpty();
        assertThat(config.getOptionalValue("spheron.protocol.addresses-file", String.class)).isEmpty();
    }
}
