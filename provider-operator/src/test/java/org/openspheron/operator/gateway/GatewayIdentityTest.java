package org.openspheron.operator.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Path;
import java.security.interfaces.ECPrivateKey;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openspheron.chain.identity.ClientIdentity;

@EnableKubernetesMockClient(crud = true)
class GatewayIdentityTest {
    private static final String PROVIDER = "0x15d34aaf54267db7d7c367839aaf71a00a2c6a65";
    private static final String NEW_PROVIDER = "0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc";
    static KubernetesClient client;

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
