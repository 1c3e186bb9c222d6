package org.openspheron.matchmaker.quorum;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.jwt.build.Jwt;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Peers over HTTP: {@code POST /quorum/signatures} and {@code GET /quorum/orders/{id}}, each call carrying a short
 * JWT signed with this operator's key (smallrye.jwt.sign.key.location) that the peers verify against the public
 * keys they list.
 */
public final class HttpPeers implements PeerTransport {
    private final List<Peer> peers;
    private final HttpClient http;
    private final ObjectMapper json;
    private final TokenSource tokens;
    private final Duration timeout;

    public HttpPeers(List<String> baseUrls, ObjectMapper json, TokenSource tokens, Duration timeout) {
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
        this.json = json;
        this.tokens = tokens;
        this.timeout = timeout;
        this.peers = baseUrls.stream().map(url -> (Peer) new HttpPeer(url)).toList();
    }

    @Override
    public List<Peer> peers() {
        return peers;
    }

    /** Issues this operator's peer tokens, reusing one until half its lifetime has passed. */
    public static final class TokenSource {
        private final String issuer;
        private final String subject;
        private final String keyId;
        private final Duration lifetime;
        private String token;
        private Instant renewAt = Instant.MIN;

        public TokenSource(String issuer, String subject, String keyId, Duration lifetime) {
            this.issuer = issuer;
            this.subject = subject;
            this.keyId = keyId;
            this.lifetime = lifetime;
        }

        public synchronized String token() {
            Instant now = Instant.now();
            if (now.isAfter(renewAt)) {
                token = Jwt.issuer(issuer).subject(subject).groups(Set.of("operator"))
                        .expiresIn(lifetime).jws().keyId(keyId).sign();
                renewAt = now.plus(lifetime.dividedBy(2));
            }
            return token;
        }
    }

    private final class HttpPeer implements Peer {
        private final String baseUrl;

        HttpPeer(String baseUrl) {
            this.baseUrl = baseUrl;
        }

        @Override
        public String name() {
            return baseUrl;
        }

        @Override
        public void send(SignedMatch signature) throws PeerException {
            HttpResponse<String> response = call(HttpRequest.newBuilder(URI.create(baseUrl + "/quorum/signatures"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(write(signature))));
            if (response.statusCode() / 100 != 2) {
                throw new PeerException(baseUrl + " refused the signature: HTTP " + response.statusCode() + " "
                        + response.body());
            }
        }

        @Override
        public Optional<PeerDecision> decision(long orderId) throws PeerException {
            HttpResponse<String> response = call(HttpRequest.newBuilder(URI.create(baseUrl + "/quorum/orders/" + orderId)).GET());
            if (response.statusCode() == 404) {
                return Optional.empty();
            }
            if (response.statusCode() != 200) {
                throw new PeerException(baseUrl + " answered HTTP " + response.statusCode() + " for order " + orderId);
            }
            try {
                return Optional.of(json.readValue(response.body(), PeerDecision.class));
            } catch (IOException e) {
                throw new PeerException(baseUrl + " sent an unreadable decision: " + e.getMessage(), e);
            }
        }

        private HttpResponse<String> call(HttpRequest.Builder request) throws PeerException {
            try {
                return http.send(request.timeout(timeout).header("Authorization", "Bearer " + tokens.token()).build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new PeerException(baseUrl + " unreachable: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PeerException("interrupted calling " + baseUrl, e);
            }
        }

        private String write(Object value) throws PeerException {
            try {
                return json.writeValueAsString(value);
            } catch (IOException e) {
                throw new PeerException("cannot encode " + value, e);
            }
        }
    }
}
