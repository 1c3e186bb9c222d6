package org.openspheron.operator.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;
import org.openspheron.chain.ChainException;
import org.openspheron.chain.ProtocolReader;
import org.openspheron.chain.identity.ClientIdentity;
import org.openspheron.chain.identity.SelfSignedTrust;
import org.openspheron.chain.identity.TlsContexts;
import org.openspheron.operator.config.IpPool;
import org.openspheron.operator.inventory.ClusterInventory;
import org.openspheron.operator.inventory.InventoryUnavailableException;

/**
 * The provider's gateway: HTTPS with a client certificate required, on its own Vert.x server and port.
 *
 * <p>Why not Quarkus' own HTTP server with {@code quarkus.http.ssl.client-auth=required}: that validates client
 * certificates against a trust store of authorities, and users' certificates are self-signed and unknown until
 * they arrive; trust comes from the on-chain CertificateRegistry instead. So this server's TLS layer accepts any
 * well-formed, currently valid client certificate ({@link SelfSignedTrust#clients()}) and every request is authorised
 * by asking the chain whether the lease's tenant vouches for the certificate. Quarkus' plain HTTP port stays what it
 * is for the rest of the operator: health probes and metrics, never reachable with a lease's data.
 */
public final class GatewayServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(GatewayServer.class);
    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param providerAddress this provider's account: only its own leases are served
     * @param certificateTtl how long a tenant's valid certificate is cached (a revocation takes effect within it)
     * @param leaseTtl how long a lease read from chain is cached for status and logs
     * @param namespaceWait how long a manifest waits for the lease's namespace before a 503
     */
    public record Settings(String host, int port, String providerAddress, Duration certificateTtl, Duration leaseTtl,
            Duration namespaceWait, int maxManifestBytes, StorageClasses storageClasses, TeeRuntimes teeRuntimes,
            IpPool ipPool) {
        /** With no leased IPs: manifests with ip endpoints are refused. */
        public Settings(String host, int port, String providerAddress, Duration certificateTtl, Duration leaseTtl,
                Duration namespaceWait, int maxManifestBytes, StorageClasses storageClasses, TeeRuntimes teeRuntimes) {
            this(host, port, providerAddress, certificateTtl, leaseTtl, namespaceWait, maxManifestBytes, storageClasses,
                    teeRuntimes, IpPool.EMPTY);
        }

        /** With no TEE type run: manifests asking for confidential computing are refused. */
        public Settings(String host, int port, String providerAddress, Duration certificateTtl, Duration leaseTtl,
                Duration namespaceWait, int maxManifestBytes, StorageClasses storageClasses) {
            this(host, port, providerAddress, certificateTtl, leaseTtl, namespaceWait, maxManifestBytes, storageClasses,
                    TeeRuntimes.NONE);
        }

        /** With no storage classes mapped: every persistent volume on the cluster's default StorageClass. */
        public Settings(String host, int port, String providerAddress, Duration certificateTtl, Duration leaseTtl,
                Duration namespaceWait, int maxManifestBytes) {
            this(host, port, providerAddress, certificateTtl, leaseTtl, namespaceWait, maxManifestBytes,
                    StorageClasses.NONE);
        }

        public Settings {
            if (providerAddress == null || !providerAddress.matches("0x[0-9a-fA-F]{40}")) {
                throw new IllegalArgumentException("the gateway needs the provider's address (0x and 40 hex digits), got "
                        + providerAddress);
            }
            providerAddress = providerAddress.toLowerCase();
        }

        public static Settings defaults(String providerAddress, int port) {
            return new Settings("0.0.0.0", port, providerAddress, Duration.ofSeconds(30), Duration.ofSeconds(5),
                    Duration.ofSeconds(15), 1024 * 1024);
        }
    }

    private final Vertx vertx;
    private final Settings settings;
    private final ClientIdentity identity;
    private final LeaseEndpoints endpoints;
    private HttpServer server;

    public GatewayServer(Vertx vertx, Settings settings, ClientIdentity identity, ProtocolReader reader,
            KubernetesClient client, ClusterInventory inventory) {
        this.vertx = vertx;
        this.settings = settings;
        this.identity = identity;
        ChainView chain = new ChainView(reader, settings.certificateTtl(), settings.leaseTtl());
        this.endpoints = new LeaseEndpoints(vertx, settings.providerAddress(), chain,
                new LeaseCluster(client, settings.namespaceWait(), settings.ipPool()), inventory, settings.storageClasses(),
                settings.teeRuntimes());
    }

    /** Starts listening; returns once the port is bound, or throws with the reason. */
    public GatewayServer start() {
        HttpServerOptions options = new HttpServerOptions()
                .setHost(settings.host())
                .setPort(settings.port())
                .setSsl(true)
                .setClientAuth(ClientAuth.REQUIRED)
                .setKeyCertOptions(KeyCertOptions.wrap(TlsContexts.keyManager(identity)))
                .setTrustOptions(TrustOptions.wrap(SelfSignedTrust.clients()))
                .setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"));
        try {
            server = vertx.createHttpServer(options).requestHandler(router())
                    .listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the gateway cannot listen on " + settings.host() + ":" + settings.port()
                    + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("the gateway did not start listening on port " + settings.port(), e);
        }
        LOG.infof("gateway for provider %s listening on https://%s:%d (client certificates required), server"
                + " certificate fingerprint %s", settings.providerAddress(), settings.host(), server.actualPort(),
                identity.fingerprint());
        return this;
    }

    /** The bound port (the configured one, or the one chosen for port 0). */
    public int port() {
        return server.actualPort();
    }

    public ClientIdentity identity() {
        return identity;
    }

    private Router router() {
        Router router = Router.router(vertx);
        router.put("/lease/:leaseId/manifest")
                .handler(BodyHandler.create(false).setBodyLimit(settings.maxManifestBytes()))
                .blockingHandler(endpoints::putManifest, false);
        router.get("/lease/:leaseId/status").blockingHandler(endpoints::leaseStatus, false);
        router.get("/lease/:leaseId/logs").blockingHandler(endpoints::logs, false);
        router.delete("/lease/:leaseId").blockingHandler(endpoints::closeLease, false);
        router.get("/status").blockingHandler(endpoints::providerStatus, false);
        router.route().last().handler(ctx -> ctx.fail(GatewayError.of(404, "NotFound",
                "no such endpoint: " + ctx.request().method() + " " + ctx.request().path())));
        router.route().failureHandler(this::renderFailure);
        return router;
    }

    private void renderFailure(RoutingContext ctx) {
        GatewayError error = asGatewayError(ctx);
        if (ctx.response().headWritten()) {
            ctx.response().reset();
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error.code());
        body.put("message", error.getMessage());
        if (error.field() != null) {
            body.put("field", error.field());
        }
        if (error.retryAfter() != null) {
            ctx.response().putHeader("Retry-After", Long.toString(Math.max(1, error.retryAfter().toSeconds())));
        }
        sendJson(ctx, error.status(), body);
    }

    private GatewayError asGatewayError(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        if (failure instanceof GatewayError error) {
            return error;
        }
        if (failure instanceof ChainException e) {
            LOG.warnf(e, "chain read failed for %s %s: %s", ctx.request().method(), ctx.request().path(), e.getMessage());
            return GatewayError.retryLater("ChainUnavailable", "the provider cannot read the chain right now",
                    Duration.ofSeconds(10));
        }
        if (failure instanceof KubernetesClientException || failure instanceof InventoryUnavailableException) {
            LOG.warnf("cluster call failed for %s %s: %s", ctx.request().method(), ctx.request().path(), failure.getMessage());
            return GatewayError.retryLater("ClusterUnavailable", "the provider's cluster did not answer as expected",
                    Duration.ofSeconds(10));
        }
        if (failure == null && ctx.statusCode() == 413) {
            return GatewayError.of(413, "ManifestTooLarge",
                    "the manifest is larger than " + settings.maxManifestBytes() + " bytes");
        }
        if (failure == null && ctx.statusCode() > 0) {
            return GatewayError.of(ctx.statusCode(), "HttpError", "the request failed with HTTP " + ctx.statusCode());
        }
        LOG.errorf(failure, "gateway request %s %s failed", ctx.request().method(), ctx.request().path());
        return GatewayError.of(500, "InternalError", "the gateway failed to handle the request; see its log");
    }

    static void sendJson(RoutingContext ctx, int status, Object body) {
        try {
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                    .end(JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a response: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        endpoints.close();
        if (server != null) {
            try {
                server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.warnf("the gateway did not close cleanly: %s", e.getMessage());
            }
        }
    }

    /** Followed log responses still checking their lease on chain (for tests: every ended follow stops its check). */
    int followsCheckingTheChain() {
        return endpoints.followsCheckingTheChain();
    }
}
