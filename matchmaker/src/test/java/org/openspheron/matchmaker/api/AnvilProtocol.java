package org.openspheron.matchmaker.api;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.openspheron.chain.GpuOffer;
import org.openspheron.chain.ProtocolFixture;
import org.web3j.crypto.Keys;
import org.web3j.utils.Numeric;

/**
 * A real anvil with the protocol, and JWT keys, for the Quarkus tests: the app runs as matchmaker operator 0 and
 * trusts its own key and {@link #PEER_KID} (the test plays operator 1 with it); {@link #stranger} is trusted by
 * nobody. The app lists itself as its only peer, so its HTTP peer client is exercised too.
 */
public class AnvilProtocol implements QuarkusTestResourceLifecycleManager {
    static final String PEER_KID = "peer-1";
    static ProtocolFixture fixture;
    static KeyPair self;
    static KeyPair peer;
    static KeyPair stranger;
    static int port;

    @Override
    public Map<String, String> start() {
        fixture = ProtocolFixture.start();
        fixture.registeredProvider(0, "eu-west", "a", List.of(new GpuOffer("H100", 8, 8)));
        fixture.registeredProvider(1, "eu-west", "b", List.of(new GpuOffer("H100", 8, 8)));
        fixture.registeredProvider(2, "us-east", "a", List.of(new GpuOffer("H100", 8, 8)));
        try {
            Path dir = Files.createTempDirectory("matchmaker-test");
            Path addresses = dir.resolve("protocol.properties");
            fixture.addresses().write(addresses);
            self = rsa();
            peer = rsa();
            stranger = rsa();
            String operator = operatorAddress();
            Path jwks = dir.resolve("peers-jwks.json");
            Files.writeString(jwks, new JsonWebKeySet(jwk(self, operator), jwk(peer, PEER_KID)).toJson());
            Path signing = dir.resolve("operator-jwt.pem");
            Files.writeString(signing, "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder().encodeToString(self.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n");
            port = freePort();
            return Map.of(
                    "quarkus.http.test-port", Integer.toString(port),
                    "spheron.chain.rpc-url", fixture.chain().rpcUrl(),
                    "spheron.chain.confirmations", "0",
                    "spheron.chain.poll-interval", "200ms",
                    "spheron.protocol.addresses-file", addresses.toString(),
                    "spheron.matchmaker.key", Numeric.toHexStringWithPrefixZeroPadded(
                            fixture.matchmakerKey(0).getEcKeyPair().getPrivateKey(), 64),
                    "spheron.matchmaker.peers", "http://127.0.0.1:" + port,
                    "spheron.matchmaker.jwt.peer-keys", jwks.toUri().toString(),
                    "spheron.matchmaker.jwt.signing-key", signing.toUri().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String operatorAddress() {
        return Keys.toChecksumAddress(fixture.matchmakerKey(0).getAddress());
    }

    private static RsaJsonWebKey jwk(KeyPair pair, String kid) {
        RsaJsonWebKey key = new RsaJsonWebKey((RSAPublicKey) pair.getPublic());
        key.setKeyId(kid);
        key.setAlgorithm("RS256");
        key.setUse("sig");
        return key;
    }

    private static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }
}
