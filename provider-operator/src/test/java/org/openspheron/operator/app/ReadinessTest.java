package org.openspheron.operator.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.LocalChain;
import org.openspheron.operator.SettingsFromKeys;
import org.openspheron.operator.config.ProtocolChain;
import org.openspheron.operator.inventory.ClusterInventory;

/**
 * Issue 14, "readiness reflects informer health and chain connectivity": a replica that cannot see the cluster or
 * the chain is taken out of the gateway Service. What it reports when things work is shown on a real API server by
 * {@code OperatorApplicationTest}; here, what it reports when they do not.
 */
class ReadinessTest {
    @Test
    void aReplicaWhoseApiServerDoesNotAnswerIsNotReady() {
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl("https://127.0.0.1:1").withRequestTimeout(1000).withConnectionTimeout(1000).build()).build();
             ClusterInventory inventory = new ClusterInventory(client)) {
            HealthCheckResponse response = new KubernetesReadiness(inventory).call();

            assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
            assertThat(response.getData().orElseThrow()).containsEntry("apiServer", "https://127.0.0.1:1/")
                    .containsKey("reason");
        }
    }

    @Test
    void aReplicaIsReadyWhileTheChainAnsweredWithinTheLastMinuteAndNotAfter() {
        MovableClock clock = new MovableClock();
        try (LocalChain anvil = LocalChain.startDefault()) {
            ProtocolChain chain = protocolChain(anvil.rpcUrl());
            ChainReadiness readiness = new ChainReadiness(chain, anvil.rpcUrl(), true, clock);
            assertThat(readiness.call().getStatus()).as("before the first answer").isEqualTo(HealthCheckResponse.Status.DOWN);

            readiness.ask();
            HealthCheckResponse up = readiness.call();
            assertThat(up.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
            assertThat(up.getData().orElseThrow()).containsEntry("rpcUrl", anvil.rpcUrl()).containsKey("head");

            anvil.stop();
            readiness.ask();
            HealthCheckResponse blip = readiness.call();
            assertThat(blip.getStatus()).as("one failed ask within a minute of an answer").isEqualTo(HealthCheckResponse.Status.UP);
            assertThat(blip.getData().orElseThrow()).containsKey("lastError");

            clock.advance(ChainReadiness.STALE_AFTER);
            readiness.ask();
            assertThat(readiness.call().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
            chain.close(null);
        }
    }

    @Test
    void withTheProtocolSideAndTheGatewayOffTheChainIsNotAsked() {
        ChainReadiness readiness = new ChainReadiness(protocolChain("http://127.0.0.1:1"), "http://127.0.0.1:1", false, Clock.systemUTC());
        HealthCheckResponse response = readiness.call();
        assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(response.getData().orElseThrow()).containsEntry("used", false);
    }

    private static ProtocolChain protocolChain(String rpcUrl) {
        return SettingsFromKeys.protocolChain(SettingsFromKeys.of(Map.of("spheron.chain.rpc-url", rpcUrl,
                "spheron.protocol.token", "0x0000000000000000000000000000000000000001",
                "spheron.protocol.registry", "0x0000000000000000000000000000000000000002",
                "spheron.protocol.orders", "0x0000000000000000000000000000000000000003",
                "spheron.protocol.matchmakers", "0x0000000000000000000000000000000000000004",
                "spheron.protocol.certificates", "0x0000000000000000000000000000000000000005")));
    }

    private static final class MovableClock extends Clock {
        private Instant now = Instant.now();

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
