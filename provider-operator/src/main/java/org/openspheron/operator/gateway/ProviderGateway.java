package org.openspheron.operator.gateway;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import org.jboss.logging.Logger;
import org.openspheron.chain.identity.ClientIdentity;
import org.openspheron.operator.app.OperatorConfig;
import org.openspheron.operator.config.IpPool;
import org.openspheron.operator.config.ProtocolChain;
import org.openspheron.operator.config.ProviderKey;
import org.openspheron.operator.config.ProviderSettings;
import org.openspheron.operator.inventory.ClusterInventory;

/**
 * Starts the gateway with the operator and stops it on shutdown. It reads the chain through the operator's one
 * {@link ProtocolChain} and serves the leases of the provider whose key the operator holds.
 */
@ApplicationScoped
public class ProviderGateway {
    private static final Logger LOG = Logger.getLogger(ProviderGateway.class);

    @Inject
    GatewayConfig config;
    @Inject
    OperatorConfig operator;
    @Inject
    TeeRuntimes teeRuntimes;
    @Inject
    IpPool ipPool;
    @Inject
    ProviderSettings provider;
    @Inject
    ProtocolChain chain;
    @Inject
    KubernetesClient client;
    @Inject
    Vertx vertx;
    @Inject
    ClusterInventory inventory;
    @Inject
    Event<GatewayStarted> started;

    private GatewayServer server;

    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            LOG.info("the gateway is disabled (spheron.gateway.enabled=false)");
            return;
        }
        String address = config.providerAddress().orElseGet(() -> ProviderKey.load(provider).getAddress());
        List<String> hostNames = config.hostNames().orElse(List.of());
        ClientIdentity identity = config.identity().dir()
                .map(dir -> GatewayIdentity.inDirectory(dir, address, hostNames))
                .orElseGet(() -> GatewayIdentity.inSecret(client,
                        config.identity().namespace().orElseGet(this::ownNamespace), config.identity().secret(),
                        address, hostNames));
        GatewayServer.Settings settings = new GatewayServer.Settings(config.host(), config.port(), address,
                config.certificateCacheTtl(), config.leaseCacheTtl(), config.namespaceWait(), config.maxManifestBytes(),
                new StorageClasses(operator.storageClasses()), teeRuntimes, ipPool);
        server = new GatewayServer(vertx, settings, identity, chain.reader(), client, inventory).start();
        started.fire(new GatewayStarted(identity));
    }

    void stop(@Observes ShutdownEvent event) {
        if (server != null) {
            server.close();
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
}
