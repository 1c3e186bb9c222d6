package org.openspheron.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.openspheron.chain.identity.ClientIdentity;

/**
 * The provider gateway's API over mutual TLS: the user's {@link ClientIdentity} as client certificate, which the
 * gateway maps to the account through the on-chain certificate registry. The provider's server certificate is
 * self-signed and nothing pins it yet, so it is accepted and its fingerprint made visible instead
 * ({@link #serverFingerprint()}); host names are not checked for the same reason.
 */
final class GatewayClient {
    private final URI base;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final AtomicReference<X509Certificate> serverCertificate = new AtomicReference<>();

    GatewayClient(String gatewayUrl, ClientIdentity identity, Duration requestTimeout) {
        this.base = URI.create(gatewayUrl.endsWith("/") ? gatewayUrl.substring(0, gatewayUrl.length() - 1) : gatewayUrl);
        if (!"https".equalsIgnoreCase(base.getScheme())) {
            throw new CliException("the provider's gateway URL " + gatewayUrl + " is not https; refusing to send a manifest in clear text");
        }
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder()
                .sslContext(sslContext(identity))
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** The gateway of the lease's provider, as registered on chain. */
    static GatewayClient forLease(ChainSession chain, org.openspheron.chain.Lease lease, ClientIdentity identity) {
        String url = chain.reader().provider(lease.provider()).map(org.openspheron.chain.Provider::gatewayUrl)
                .filter(u -> !u.isBlank())
                .orElseThrow(() -> new CliException("lease " + lease.id() + "'s provider " + lease.provider()
                        + " has no gateway URL in the registry"));
        return new GatewayClient(url, identity, Duration.ofSeconds(30));
    }

    URI base() {
        return base;
    }

    /** The SHA-256 fingerprint of the provider's server certificate, once a connection was made; else null. */
    String serverFingerprint() {
        X509Certificate c = serverCertificate.get();
        return c == null ? null : ClientIdentity.fingerprint(c);
    }

    /** {@code PUT /lease/{id}/manifest}: the manifest bytes exactly as the user wrote them. */
    JsonNode putManifest(long leaseId, byte[] yaml) {
        HttpRequest request = request("/lease/" + leaseId + "/manifest")
                .header("Content-Type", "application/yaml")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(yaml))
                .build();
        return json(send(request));
    }

    JsonNode status(long leaseId) {
        return json(send(request("/lease/" + leaseId + "/status").GET().build()));
    }

    JsonNode providerStatus() {
        return json(send(request("/status").GET().build()));
    }

    void delete(long leaseId) {
        send(request("/lease/" + leaseId).DELETE().build());
    }

    /** Streams log lines to {@code sink} as they arrive; with {@code follow} until the gateway ends the stream. */
    void logs(long leaseId, String service, int tail, boolean follow, Consumer<String> sink) {
        StringBuilder path = new StringBuilder("/lease/" + leaseId + "/logs?tail=" + tail + "&follow=" + follow);
        if (service != null) {
            path.append("&service=").append(java.net.URLEncoder.encode(service, java.nio.charset.StandardCharsets.UTF_8));
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path.toString())).GET();
        if (!follow) {
            builder.timeout(requestTimeout);
        }
        try {
            HttpResponse<Stream<String>> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofLines());
            if (response.statusCode() >= 300) {
                String body = String.join("\n", response.body().toList());
                throw GatewayException.of(response.statusCode(), body, base);
            }
            try (Stream<String> lines = response.body()) {
                lines.forEach(sink);
            }
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(requestTimeout).header("Accept", "application/json");
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw GatewayException.of(response.statusCode(), response.body(), base);
            }
            return response;
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
    }

    private GatewayException unreachable(IOException e) {
        String why;
        if (e instanceof SSLHandshakeException) {
            why = "TLS handshake failed (" + e.getMessage() + "); is the client certificate published? `spheron cert publish`";
        } else if (e instanceof HttpTimeoutException) {
            why = "no answer within " + requestTimeout.toSeconds() + "s";
        } else if (e instanceof ConnectException) {
            why = "connection refused";
        } else if (String.valueOf(e.getMessage()).contains("received no bytes")) {
            why = "it closed the connection without an answer (a refused client certificate looks like this with "
                    + "TLS 1.3; is it published? `spheron cert publish`)";
        } else {
            why = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        return new GatewayException(0, "Unreachable", "cannot reach the provider's gateway at " + base + ": " + why, null);
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return response.body() == null || response.body().isBlank()
                    ? Output.JSON.createObjectNode() : Output.JSON.readTree(response.body());
        } catch (IOException e) {
            throw new CliException("the gateway answered " + response.statusCode() + " with something that is not JSON");
        }
    }

    private SSLContext sslContext(ClientIdentity identity) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new javax.net.ssl.KeyManager[]{new IdentityKeyManager(identity)},
                    new TrustManager[]{new RecordingTrustManager(serverCertificate)}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** Offers the user's certificate whatever issuers the server names: it is self-signed, found through the chain. */
    private static final class IdentityKeyManager extends X509ExtendedKeyManager {
        private static final String ALIAS = "client";
        private final ClientIdentity identity;
        private final PrivateKey key;

        IdentityKeyManager(ClientIdentity identity) {
            this.identity = identity;
            this.key = jsseUsable(identity.privateKey());
        }

        /**
         * The key as the JDK's own EC provider represents it. A key read from PEM comes back from Bouncy Castle as an
         * "ECDSA" key, which the JDK's TLS does not recognise as EC: it would silently send no client certificate.
         */
        private static PrivateKey jsseUsable(PrivateKey key) {
            if ("EC".equals(key.getAlgorithm())) {
                return key;
            }
            try {
                return java.security.KeyFactory.getInstance("EC", "SunEC")
                        .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(key.getEncoded()));
            } catch (GeneralSecurityException e) {
                return key;
            }
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[]{ALIAS};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return ALIAS;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return ALIAS;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return new X509Certificate[]{identity.certificate()};
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return key;
        }
    }

    /**
     * Accepts the provider's self-signed certificate and remembers it. Being an X509ExtendedTrustManager also keeps
     * the JDK from checking the host name against a certificate that was never issued for it.
     */
    private static final class RecordingTrustManager extends X509ExtendedTrustManager {
        private final AtomicReference<X509Certificate> seen;

        RecordingTrustManager(AtomicReference<X509Certificate> seen) {
            this.seen = seen;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("the gateway presented no certificate");
            }
            chain[0].checkValidity();
            seen.set(chain[0]);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a client does not accept client certificates");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
