package org.openspheron.operator.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.GpuOffer;
import org.openspheron.chain.ProtocolFixture;
import org.openspheron.chain.identity.ClientIdentity;
import org.openspheron.operator.app.DevClusterResource;

/**
 * The gateway as the operator runs it: started by Quarkus from configuration, its server identity created in a
 * Kubernetes Secret of a real API server ({@link DevClusterResource}), the chain reached through
 * {@code spheron.chain.rpc-url} and {@code spheron.protocol.*}.
 */
@QuarkusTest
@WithTestResource(DevClusterResource.class)
@WithTestResource(ProviderGatewayStartupTest.Chain.class)
class ProviderGatewayStartupTest {
    @Inject
    ProviderGateway gateway;
    @Inject
    KubernetesClient client;

    @Test
    void theConfiguredGatewayServesTlsWithTheIdentityKeptInASecret() throws Exception {
        GatewayServer server = gateway.server();
        assertThat(server).as("the gateway started").isNotNull();
        Secret secret = client.secrets().withName("spheron-gateway-identity").get();
        assertThat(secret).as("the server identity is kept in a Secret").isNotNull();
        String storedCertificate = new String(Base64.getDecoder().decode(secret.getData().get("tls.crt")),
                StandardCharsets.UTF_8);
        assertThat(storedCertificate).isEqualTo(ClientIdentity.pem(server.identity().certificate()));

        ClientIdentity anyone = ClientIdentity.create("0x000000000000000000000000000000000000dead", List.of(),
                Duration.ofDays(1));
        GatewayTls.Reply reply = new GatewayTls(server.port(), server.identity().certificate(), anyone).get("/status");

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        var body = new ObjectMapper().readTree(reply.body());
        assertThat(body.get("provider").asText()).isEqualTo(Chain.providerAddress);
        assertThat(body.get("region").asText()).isEqualTo("ap-south");
    }

    /** A real anvil with the protocol and one registered provider, and the configuration that points at them. */
    public static class Chain implements QuarkusTestResourceLifecycleManager {
        static String providerAddress;
        private ProtocolFixture protocol;

        @Override
        public Map<String, String> start() {
            protocol = ProtocolFixture.start();
            providerAddress = protocol.registeredProvider(2, "ap-south", "ap-south-1a", List.of(new GpuOffer("A100", 2, 2)))
                    .address().toLowerCase();
            Map<String, String> config = new HashMap<>();
            config.put("spheron.chain.rpc-url", protocol.chain().rpcUrl());
            protocol.addresses().toProperties()
                    .forEach((contract, address) -> config.put("spheron.protocol." + contract, (String) address));
            config.put("spheron.gateway.enabled", "true");
            // the gateway serves the provider whose key the operator holds
            config.put("spheron.provider.key", org.web3j.utils.Numeric.toHexStringNoPrefixZeroPadded(protocol.providerKey(2).getEcKeyPair().getPrivateKey(), 64));
            config.put("spheron.gateway.host", "127.0.0.1");
            config.put("spheron.gateway.port", "0");
            config.put("spheron.gateway.host-names", "127.0.0.1");
            config.put("quarkus.http.test-port", "0");
            return config;
        }

        @Override
        public void stop() {
            if (protocol != null) {
                protocol.close();
            }
        }
    }
}
