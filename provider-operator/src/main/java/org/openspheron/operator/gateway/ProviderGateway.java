package org.openspheron.operator.gateway;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;
import org.openspheron.chain.ChainConnection;
import org.openspheron.chain.ProtocolAddresses;
import org.openspheron.chain.ProtocolReader;
import org.openspheron.chain.identity.ClientIdentity;

/** Starts the gateway with the operator and stops it on shutdown. */
@ApplicationScoped
public class ProviderGateway {
    private static final Logger LOG = Logger.getLogger(ProviderGateway.class);
    private static final String[] CONTRACTS = {"token", "registry", "orders", "matchmakers", "certificates"};

    @Inject
    GatewayConfig config;
    @Inject
    KubernetesClient client;
    @Inject
    Vertx vertx;

    private ChainConnection connection;
    private GatewayServer server;

    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            LOG.info("the gateway is disabled (spheron.gateway.enabled=false)");
            return;
        }
        Config all = ConfigProvider.getConfig();
        String address = config.providerAddress().or(() -> providerKeyAddress(all)).orElseThrow(() -> new IllegalStateException(
                "spheron.gateway.provider-address is required when no provider key is configured: the provider account "
                        + "whose leases the gateway serves"));
        String rpcUrl = all.getOptionalValue("spheron.chain.rpc-url", String.class).orElse("http://127.0.0.1:8545");
        connection = ChainConnection.connect(rpcUrl, protocolAddresses(all));
        List<String> hostNames = config.hostNames().orElse(List.of());
        ClientIdentity identity = config.identity().dir()
                .map(dir -> GatewayIdentity.inDirectory(dir, address, hostNames))
                .orElseGet(() -> GatewayIdentity.inSecret(client,
                        config.identity().namespace().orElseGet(this::ownNamespace), config.identity().secret(),
                        address, hostNames));
        GatewayServer.Settings settings = new GatewayServer.Settings(config.host(), config.port(), address,
                config.certificateCacheTtl(), config.leaseCacheTtl(), config.namespaceWait(), config.maxManifestBytes());
        server = new GatewayServer(vertx, settings, identity, new ProtocolReader(connection), client).start();
    }

    /**
     * The provider's own account when its key is configured (spheron.provider.key or key-file): the address the gateway
     * serves is then never a second setting that could disagree with the key (k8s/ sets only the key).
     */
    private static java.util.Optional<String> providerKeyAddress(Config all) {
        java.util.Optional<String> key = all.getOptionalValue("spheron.provider.key", String.class);
        java.util.Optional<java.nio.file.Path> keyFile = all.getOptionalValue("spheron.provider.key-file", java.nio.file.Path.class);
        if (key.isEmpty() && keyFile.isEmpty()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(org.web3j.crypto.Keys.toChecksumAddress(
                org.openspheron.operator.config.ProviderKey.load(key, keyFile).getAddress()));
    }

    void stop(@Observes ShutdownEvent event) {
        if (server != null) {
            server.close();
        }
        if (connection != null) {
            connection.close();
        }
    }

    /** The running gateway, or null when it is disabled. */
    public GatewayServer server() {
        return server;
    }

    private String ownNamespace() {
        String namespace = client.getNamespace();
        return namespace == null ? "default" : namespace;
    }

    /** {@code spheron.protocol.addresses-file}, else the five {@code spheron.protocol.<contract>} addresses. */
    static ProtocolAddresses protocolAddresses(Config config) {
        var file = config.getOptionalValue("spheron.protocol.addresses-file", String.class);
        if (file.isPresent()) {
            return ProtocolAddresses.read(Path.of(file.get()));
        }
        Properties properties = new Properties();
        for (String contract : CONTRACTS) {
            config.getOptionalValue("spheron.protocol." + contract, String.class)
                    .ifPresent(value -> properties.setProperty(contract, value));
        }
        try {
            return ProtocolAddresses.fromProperties(properties);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the gateway needs the protocol's addresses: set"
                    + " spheron.protocol.addresses-file or spheron.protocol.{token,registry,orders,matchmakers,"
                    + "certificates} (" + e.getMessage() + ")", e);
        }
    }
}
