package org.openspheron.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.net.ssl.SSLHandshakeException;
import org.openspheron.chain.identity.ClientIdentity;
import org.openspheron.chain.identity.ProviderCertificate;
import org.openspheron.chain.identity.SelfSignedTrust;
import org.openspheron.chain.identity.TlsContexts;

/**
 * The provider gateway's API over mutual TLS: the user's {@link ClientIdentity} as client certificate, which the
 * gateway maps to the account through the on-chain certificate registry. The provider's server certificate is
 * self-signed and pinned the same way: it must be the one the lease's provider published in that registry
 * ({@link ProviderCertificate}), checked in the handshake, before a byte of the manifest is sent. Host names are not
 * checked: the pin is stronger, and providers' certificates are not issued for names.
 */
final class GatewayClient {
    private final URI base;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final AtomicReference<X509Certificate> serverCertificate = new AtomicReference<>();

    /**
     * @param pin refuses a server certificate that is not the provider's (see {@link #forProvider}); the record of
     *            the certificate for {@link #serverFingerprint()} is kept either way
     */
    GatewayClient(String gatewayUrl, ClientIdentity identity, Duration requestTimeout, SelfSignedTrust.CertificateCheck pin) {
        this.base = URI.create(gatewayUrl.endsWith("/") ? gatewayUrl.substring(0, gatewayUrl.length() - 1) : gatewayUrl);
        if (!"https".equalsIgnoreCase(base.getScheme())) {
            throw new CliException("the provider's gateway URL " + gatewayUrl + " is not https; refusing to send a manifest in clear text");
        }
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder()
                .sslContext(TlsContexts.client(identity, SelfSignedTrust.servers(certificate -> {
                    serverCertificate.set(certificate);
                    pin.check(certificate);
                })))
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** The gateway of the lease's provider, as registered on chain. */
    static GatewayClient forLease(ChainSession chain, org.openspheron.chain.Lease lease, ClientIdentity identity) {
        org.openspheron.chain.Provider provider = chain.reader().provider(lease.provider())
                .filter(p -> !p.gatewayUrl().isBlank())
                .orElseThrow(() -> new CliException("lease " + lease.id() + "'s provider " + lease.provider()
                        + " has no gateway URL in the registry"));
        return forProvider(chain, provider, identity);
    }

    /** The provider's registered gateway, accepted only with the certificate the provider published on chain. */
    static GatewayClient forProvider(ChainSession chain, org.openspheron.chain.Provider provider, ClientIdentity identity) {
        return new GatewayClient(provider.gatewayUrl(), identity, Duration.ofSeconds(30),
                ProviderCertificate.pinnedTo(chain.reader()::certificateValid, provider.address()));
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

    private static ProviderCertificate.NotPinned notPinned(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProviderCertificate.NotPinned notPinned) {
                return notPinned;
            }
        }
        return null;
    }

    private GatewayException unreachable(IOException e) {
        String why;
        ProviderCertificate.NotPinned notPinned = notPinned(e);
        if (notPinned != null) {
            return new GatewayException(0, "ProviderCertificateNotPublished", "refusing the gateway at " + base + ": "
                    + notPinned.getMessage(), null);
        }
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
}
