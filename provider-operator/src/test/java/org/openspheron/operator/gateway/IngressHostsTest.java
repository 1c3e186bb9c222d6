package org.openspheron.operator.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.openspheron.manifest.ManifestParser;

/** The gateway's rules for {@code accept} hosts ({@link IngressHosts}), which the parser alone lets through. */
class IngressHostsTest {
    private static LeaseWorkload accept(String yaml) {
        return ManifestDeploymentTest.ordered(60, ManifestParser.parse(yaml));
    }

    private static void assertRefused(String host, String field) {
        assertThatThrownBy(() -> accept(IngressOnKubernetesTest.manifest("www.ok.example", host)))
                .isInstanceOfSatisfying(GatewayError.class, e -> {
                    assertThat(e.code()).isEqualTo("InvalidManifest");
                    assertThat(e.field()).isEqualTo(field);
                });
    }

    @Test
    void aWildcardHostIsRefusedWithItsField() {
        assertRefused("\"*.example.com\"", "services.web.expose[0].accept[1]");
    }

    @Test
    void aSingleLabelOrAnIpAddressIsNoPublicHost() {
        assertRefused("localhost", "services.web.expose[0].accept[1]");
        assertRefused("10.0.0.1", "services.web.expose[0].accept[1]");
    }

    @Test
    void aHostAcceptedTwiceIsRefused() {
        assertRefused("WWW.ok.example", "services.web.expose[0].accept[1]");
    }

    @Test
    void hostsAreLoweredAsTheIngressApiRequires() {
        var port = accept(IngressOnKubernetesTest.manifest("Shop.Example.COM")).deployment().getSpec().getServices().get(0)
                .getPorts().get(0);
        assertThat(port.getHosts()).containsExactly("shop.example.com");
    }
}
