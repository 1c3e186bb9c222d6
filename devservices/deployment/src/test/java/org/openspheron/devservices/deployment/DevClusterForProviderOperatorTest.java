package org.openspheron.devservices.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.quarkus.test.QuarkusUnitTest;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openspheron.chain.ChainConnection;
import org.openspheron.chain.ProtocolAddresses;
import org.openspheron.chain.ProtocolReader;
import org.web3j.crypto.Credentials;

/**
 * A provider-operator-like app gets a chain and a real control plane with hollow GPU nodes and the CRDs, reached as the
 * operator's own ServiceAccount (k8s/provider-operator's ClusterRole), and a provider key whose account holds tokens.
 */
class DevClusterForProviderOperatorTest {
    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest()
            .overrideConfigKey("spheron.devservices.enabled", "true")
            .overrideConfigKey("spheron.devservices.app", "provider");

    @ConfigProperty(name = "quarkus.kubernetes-client.api-server-url")
    String apiServer;

    @ConfigProperty(name = "quarkus.kubernetes-client.ca-cert-data")
    String caCertData;

    @ConfigProperty(name = "quarkus.kubernetes-client.token")
    String token;

    @ConfigProperty(name = "spheron.chain.rpc-url")
    String rpcUrl;

    @ConfigProperty(name = "spheron.protocol.addresses-file")
    Path addressesFile;

    @ConfigProperty(name = "spheron.provider.key")
    String providerKey;

    @ConfigProperty(name = "spheron.provider.auto-register")
    boolean autoRegister;

    @Test
    void theApiServerHasGpuNodesAndTheCrdsAndTheOperatorsAccountMayListThem() {
        Config config = new ConfigBuilder().withMasterUrl(apiServer).withCaCertData(caCertData).withOauthToken(token).build();
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
            List<Node> nodes = client.nodes().list().getItems();
            assertThat(nodes).isNotEmpty().allSatisfy(node ->
                    assertThat(node.getStatus().getAllocatable()).containsKey("nvidia.com/gpu"));
            assertThat(client.genericKubernetesResources("openspheron.org/v1alpha1", "SpheronLease").list().getItems())
                    .isEmpty();
        }
    }

    @Test
    void theProviderCanStakeAndRegistersItself() {
        String provider = Credentials.create(providerKey).getAddress();
        try (ChainConnection connection = ChainConnection.connect(rpcUrl, ProtocolAddresses.read(addressesFile))) {
            assertThat(new ProtocolReader(connection).tokenBalance(provider)).isGreaterThan(BigInteger.ZERO);
        }
        assertThat(autoRegister).isTrue();
    }
}
