package org.openspheron.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.openspheron.chain.Lease;
import org.openspheron.chain.ProtocolReader;
import org.openspheron.chain.identity.ClientIdentity;
import org.openspheron.chain.identity.SelfSignedTrust;
import org.openspheron.chain.identity.TlsContexts;
import org.openspheron.manifest.Manifest;
import org.openspheron.manifest.ManifestException;
import org.openspheron.manifest.ManifestParser;

/**
 * A minimal provider gateway for the CLI's tests, over real mutual TLS: the contract of the gateway API (client
 * certificate required, which the lease's tenant must vouch for in the on-chain registry, hash check), with a
 * deployment that is Deploying on the first status call and Running after. The real gateway is the provider
 * operator's; this one only plays it.
 */
final class TestGateway implements AutoCloseable {
    private static final Pattern LEASE_PATH = Pattern.compile("/lease/(\\d+)(/manifest|/status|/logs)?");

    /** What the gateway reads from the chain. */
    interface Chain {
        boolean certificateValid(String account, String fingerprint);

        Optional<Lease> lease(long leaseId);

        String manifestHashOfOrder(long orderId);

        static Chain of(ProtocolReader reader) {
            return new Chain() {
                @Override
                public boolean certificateValid(String account, String fingerprint) {
                    return reader.certificateValid(account, fingerprint);
                }

                @Override
                public Optional<Lease> lease(long leaseId) {
                    return reader.lease(leaseId);
                }

                @Override
                public String manifestHashOfOrder(long orderId) {
                    return reader.requireOrder(orderId).spec().manifestHash();
                }
            };
        }
    }

    private final Chain reader;
    private final ClientIdentity serverIdentity;
    private final HttpsServer server;
    final Map<Long, byte[]> manifests = new ConcurrentHashMap<>();
    final List<String> clientFingerprints = new CopyOnWriteArrayList<>();
    final List<Long> deleted = new CopyOnWriteArrayList<>();
    private final Map<Long, AtomicInteger> statusCalls = new ConcurrentHashMap<>();

    TestGateway(ProtocolReader reader, String providerAddress) throws Exception {
        this(Chain.of(reader), providerAddress);
    }

    TestGateway(Chain reader, String providerAddress) throws Exception {
        this.reader = reader;
        this.serverIdentity = ClientIdentity.create(providerAddress, List.of("127.0.0.1"), Duration.ofDays(1));
        SSLContext context = TlsContexts.server(serverIdentity, SelfSignedTrust.clients());
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = context.getDefaultSSLParameters();
                p.setNeedClientAuth(true);
                params.setSSLParameters(p);
            }
        });
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    int port() {
        return server.getAddress().getPort();
    }

    String serverFingerprint() {
        return serverIdentity.fingerprint();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            X509Certificate client = (X509Certificate) ((HttpsExchange) exchange).getSSLSession().getPeerCertificates()[0];
            String fingerprint = ClientIdentity.fingerprint(client);
            clientFingerprints.add(fingerprint);
            Matcher m = LEASE_PATH.matcher(exchange.getRequestURI().getPath());
            if (!m.matches()) {
                send(exchange, 404, error("NotFound", "no such endpoint", null));
                return;
            }
            long leaseId = Long.parseLong(m.group(1));
            Optional<Lease> lease = reader.lease(leaseId);
            if (lease.isEmpty()) {
                send(exchange, 404, error("UnknownLease", "no lease " + leaseId, null));
                return;
            }
            if (!reader.certificateValid(lease.get().tenant(), fingerprint)) {
                send(exchange, 403, error("NotTenant", "the certificate is not published by lease " + leaseId + "'s tenant", null));
                return;
            }
            String action = (exchange.getRequestMethod() + " " + (m.group(2) == null ? "" : m.group(2))).trim();
            switch (action) {
                case "PUT /manifest" -> putManifest(exchange, lease.get());
                case "GET /status" -> send(exchange, 200, status(leaseId));
                case "GET /logs" -> sendText(exchange, "[web-7d9f] listening on 8888\n[web-7d9f] ready\n");
                case "DELETE" -> {
                    deleted.add(leaseId);
                    send(exchange, 202, "{}");
                }
                default -> send(exchange, 405, error("MethodNotAllowed", action, null));
            }
        } catch (RuntimeException | IOException e) {
            e.printStackTrace();
            send(exchange, 500, error("Internal", String.valueOf(e.getMessage()), null));
        }
    }

    private void putManifest(HttpExchange exchange, Lease lease) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        Manifest manifest;
        try {
            manifest = ManifestParser.parse(body);
        } catch (ManifestException e) {
            send(exchange, 400, error("InvalidManifest", e.getMessage(), e.field()));
            return;
        }
        String expected = reader.manifestHashOfOrder(lease.orderId());
        if (!expected.equalsIgnoreCase(manifest.canonicalHash())) {
            send(exchange, 400, error("ManifestHashMismatch", "expected " + expected + ", got " + manifest.canonicalHash(), null));
            return;
        }
        manifests.put(lease.id(), body);
        ObjectNode accepted = Output.JSON.createObjectNode().put("leaseId", lease.id()).put("manifestHash", manifest.canonicalHash());
        manifest.services().keySet().forEach(accepted.putArray("services")::add);
        send(exchange, 202, accepted.toString());
    }

    private String status(long leaseId) {
        byte[] yaml = manifests.get(leaseId);
        ObjectNode status = Output.JSON.createObjectNode().put("leaseId", leaseId);
        if (yaml == null) {
            return status.put("phase", "PendingManifest").put("message", "waiting for the manifest").toString();
        }
        boolean running = statusCalls.computeIfAbsent(leaseId, id -> new AtomicInteger()).incrementAndGet() > 1;
        status.put("phase", running ? "Running" : "Deploying").put("message", running ? "all 1 replicas ready" : "pulling images");
        ObjectNode services = status.putObject("services");
        ObjectNode ports = status.putObject("forwarded_ports");
        Manifest manifest = ManifestParser.parse(yaml);
        int external = 31234;
        for (var service : manifest.services().values()) {
            ObjectNode s = services.putObject(service.name()).put("name", service.name()).put("available", running ? 1 : 0)
                    .put("total", 1).put("replicas", 1).put("ready_replicas", running ? 1 : 0);
            ArrayNode uris = s.putArray("uris");
            ArrayNode forwarded = ports.putArray(service.name());
            for (var expose : service.expose()) {
                int port = external++;
                uris.add("http://203.0.113.7:" + port);
                forwarded.addObject().put("host", "203.0.113.7").put("port", expose.port()).put("externalPort", port)
                        .put("proto", expose.proto()).put("name", service.name());
            }
        }
        status.putArray("events").addObject().put("time", "2026-11-26T10:00:00Z").put("type", "Normal")
                .put("reason", "Pulled").put("message", "image pulled");
        return status.toString();
    }

    private static String error(String code, String message, String field) {
        ObjectNode e = Output.JSON.createObjectNode().put("error", code).put("message", message);
        if (field != null) {
            e.put("field", field);
        }
        return e.toString();
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static void sendText(HttpExchange exchange, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
