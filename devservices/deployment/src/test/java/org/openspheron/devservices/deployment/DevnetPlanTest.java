package org.openspheron.devservices.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.deployment.Capabilities;
import io.quarkus.deployment.Capability;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.openspheron.devnet.AppDevnet;
import org.openspheron.devnet.AppDevnet.App;

/** What the dev service starts follows what the developer left unconfigured, half by half. */
class DevnetPlanTest {
    private static final Capabilities MATCHMAKER = new Capabilities(Set.of(Capability.JWT));
    private static final Capabilities OPERATOR = new Capabilities(Set.of(Capability.KUBERNETES_CLIENT));

    @Test
    void anUnconfiguredMatchmakerGetsAChainAndNoCluster() {
        assertThat(plan(Map.of(), MATCHMAKER, null)).contains(new AppDevnet.Plan(App.MATCHMAKER, true, false, 0));
    }

    @Test
    void anUnconfiguredOperatorGetsAChainAndACluster() {
        assertThat(plan(Map.of(), OPERATOR, null)).contains(new AppDevnet.Plan(App.PROVIDER, true, true, 0));
    }

    @Test
    void anOperatorWithItsOwnChainStillGetsTheCluster() {
        assertThat(plan(Map.of("spheron.protocol.addresses-file", "addresses.properties"), OPERATOR, null))
                .contains(new AppDevnet.Plan(App.PROVIDER, false, true, 0));
    }

    @Test
    void aKubeconfigInTheEnvironmentMeansNoDevCluster() {
        assertThat(plan(Map.of(), OPERATOR, "/home/dev/.kube/config"))
                .contains(new AppDevnet.Plan(App.PROVIDER, true, false, 0));
    }

    @Test
    void anOperatorWithItsOwnChainAndApiServerGetsNothing() {
        assertThat(plan(Map.of("spheron.chain.rpc-url", "http://chain:8545",
                "quarkus.kubernetes-client.api-server-url", "https://k8s:6443"), OPERATOR, null)).isEmpty();
    }

    @Test
    void aBlankRpcUrlCountsAsUnset() {
        assertThat(plan(Map.of("spheron.chain.rpc-url", " "), MATCHMAKER, null)).isPresent();
    }

    @Test
    void theChainPortCanBeFixed() {
        assertThat(plan(Map.of("spheron.devservices.chain-port", "8545"), MATCHMAKER, null))
                .hasValueSatisfying(plan -> assertThat(plan.chainPort()).isEqualTo(8545));
    }

    private static Optional<AppDevnet.Plan> plan(Map<String, String> properties, Capabilities capabilities, String kubeconfig) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(properties, "test", 100)).build();
        return SpheronDevServicesProcessor.plan(config, capabilities, kubeconfig);
    }
}
