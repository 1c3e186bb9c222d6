package org.openspheron.operator.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.security.interfaces.ECPrivateKey;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openspheron.chain.identity.ClientIdentity;
import org.openspheron.devnet.DevCluster;
import org.openspheron.devnet.GpuNode;

/** The gateway's TLS identity kept in a Secret of a real API server (or a directory), across restarts. */
class GatewayIdentityTest {
    private static final String PROVIDER = "0x15d34aaf54267db7d7c367839aaf71a00a2c6a65";
    private static final String NEW_PROVIDER = "0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc";
    private static DevCluster cluster;
    private static KubernetesClient client;

    @BeforeAll
    static void start() {
        cluster = DevCluster.start(List.of(new GpuNode("cpu-only", "", 0, 4, 8, "us-east-1a")));
        client = cluster.client();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("spheron-system").endMetadata().build())
                .create();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void anIdentityInASecretIsCreatedOnceAndReusedAfterARestart() {
        ClientIdentity first = GatewayIdentity.inSecret(client, "spheron-system", "gateway-a", PROVIDER,
                List.of("gateway.example.net"));
        ClientIdentity afterRestart = GatewayIdentity.inSecret(client, "spheron-system", "gateway-a", PROVIDER,
                List.of("gateway.example.net"));

        assertThat(afterRestart.fingerprint()).isEqualTo(first.fingerprint());
        assertThat(((ECPrivateKey) afterRestart.privateKey()).getS()).isEqualTo(((ECPrivateKey) first.privateKey()).getS());
        assertThat(ClientIdentity.addressOf(first.certificate())).isEqualTo(PROVIDER);
        Secret secret = client.secrets().inNamespace("spheron-system").withName("gateway-a").get();
        assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(secret.getData()).containsKeys("tls.crt", "tls.key");
    }

    @Test
    void anIdentityOfAnotherAddressIsReplaced() {
        ClientIdentity old = GatewayIdentity.inSecret(client, "spheron-system", "gateway-b", PROVIDER, List.of());

        ClientIdentity replaced = GatewayIdentity.inSecret(client, "spheron-system", "gateway-b", NEW_PROVIDER, List.of());

        assertThat(replaced.fingerprint()).isNotEqualTo(old.fingerprint());
        assertThat(ClientIdentity.addressOf(replaced.certificate())).isEqualTo(NEW_PROVIDER);
        assertThat(GatewayIdentity.inSecret(client, "spheron-system", "gateway-b", NEW_PROVIDER, List.of()).fingerprint())
                .isEqualTo(replaced.fingerprint());
    }

    @Test
    void anIdentityInADirectoryIsReusedAfterARestart(@TempDir Path directory) {
        ClientIdentity first = GatewayIdentity.inDirectory(directory, PROVIDER, List.of("127.0.0.1"));

        ClientIdentity afterRestart = GatewayIdentity.inDirectory(directory, PROVIDER, List.of("127.0.0.1"));

        assertThat(afterRestart.fingerprint()).isEqualTo(first.fingerprint());
    }
}
