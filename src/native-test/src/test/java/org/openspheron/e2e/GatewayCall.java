package org.openspheron.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.openspheron.chain.identity.ClientIdentity;
import org.openspheron.chain.identity.SelfSignedTrust;
import org.openspheron.chain.identity.TlsContexts;

/**
 * A request to a provider's gateway over mutual TLS with the certificate a CLI home holds, for the parts of the
 * gateway's API the CLI does not call on its own (a tear-down while the lease is still open on chain).
 */
final class GatewayCall {
    private GatewayCall() {
    }

    record Response(int status, String body) {
    }

    static Response send(Cli user, String gatewayUrl, String method, String path) {
        ClientIdentity identity = ClientIdentity.readPem(user.home(), "client");
        HttpClient http = HttpClient.newBuilder()
                .sslContext(TlsContexts.client(identity, SelfSignedTrust.servers(certificate -> { })))
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(gatewayUrl).resolve(path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " on " + gatewayUrl + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
