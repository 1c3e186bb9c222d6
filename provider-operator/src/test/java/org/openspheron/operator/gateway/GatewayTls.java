package org.openspheron.operator.gateway;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.openspheron.chain.identity.ClientIdentity;
import org.openspheron.chain.identity.TlsContexts;

/** A user's side of the gateway in tests: java.net.http over TLS with the user's certificate, or none. */
final class GatewayTls {
    record Reply(int status, String body, HttpResponse<String> raw) {
    }

    /** A streamed response ({@code follow=true}), read line by line as the gateway writes it. */
    static final class Follow implements AutoCloseable {
        private static final String END = "\u0000end";
        private final HttpResponse<Stream<String>> response;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        private Follow(HttpResponse<Stream<String>> response) {
            this.response = response;
            Thread reader = new Thread(() -> {
                try (Stream<String> body = response.body()) {
                    body.forEach(lines::add);
                } catch (RuntimeException closed) {
                    // closed by the test, or the connection dropped: the end either way
                } finally {
                    lines.add(END);
                }
            }, "gateway-follow-reader");
            reader.setDaemon(true);
            reader.start();
        }

        int status() {
            return response.statusCode();
        }

        /** The next line, waiting up to {@code timeout}; null when the response ended or nothing came. */
        String nextLine(Duration timeout) throws InterruptedException {
            String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return END.equals(line) ? null : line;
        }

        /** Whether the response ends within {@code timeout} (lines before the end are dropped). */
        boolean awaitEnd(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            for (String line; (line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) != null; ) {
                if (END.equals(line)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void close() {
            response.body().close();
        }
    }

    private final HttpClient http;
    private final String base;

    /** A client presenting {@code identity} (null: no certificate) and trusting only the gateway's certificate. */
    GatewayTls(int port, X509Certificate gateway, ClientIdentity identity) {
        this.base = "https://127.0.0.1:" + port;
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("gateway", gateway);
            TrustManagerFactory trustFactory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustFactory.init(trust);
            KeyManager[] keys = null;
            if (identity != null) {
                keys = new KeyManager[]{TlsContexts.keyManager(identity)};
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trustFactory.getTrustManagers(), null);
            this.http = HttpClient.newBuilder().sslContext(context).version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    Reply putManifest(long leaseId, byte[] yaml) throws IOException, InterruptedException {
        return send(request("/lease/" + leaseId + "/manifest").header("Content-Type", "application/yaml")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(yaml)).build());
    }

    /** Starts a GET whose body streams; returns once the status line and headers arrived. */
    Follow follow(String path) throws IOException, InterruptedException {
        return new Follow(http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                HttpResponse.BodyHandlers.ofLines()));
    }

    Reply get(String path) throws IOException, InterruptedException {
        return send(request(path).GET().build());
    }

    Reply delete(String path) throws IOException, InterruptedException {
        return send(request(path).DELETE().build());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    }

    private Reply send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.body(), response);
    }
}
