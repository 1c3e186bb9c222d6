package org.openspheron.devnet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.openspheron.chain.LocalChain;
import org.web3j.crypto.Keys;

/**
 * The matchmakers' JWT keys for the local run: each operator signs its peer calls with its own RSA key and trusts
 * the JWKS of all operators' public keys (kid = the operator's checksum address, which is what a matchmaker puts
 * in its tokens). Written once into the home directory and kept, like a real operator's keys.
 */
public final class MatchmakerKeys {
    private MatchmakerKeys() {
    }

    public static Path signingKey(Path home, int index) {
        return home.resolve("matchmaker-" + index + "-jwt.pem");
    }

    public static Path jwks(Path home) {
        return home.resolve("matchmakers-jwks.json");
    }

    /** Creates the signing keys that are missing and (re)writes the JWKS from all of them. */
    public static void ensure(Path home, int matchmakers) {
        try {
            KeyFactory rsa = KeyFactory.getInstance("RSA");
            List<String> jwks = new ArrayList<>();
            for (int i = 0; i < matchmakers; i++) {
                Path pem = signingKey(home, i);
                if (!Files.isRegularFile(pem)) {
                    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                    generator.initialize(2048);
                    KeyPair pair = generator.generateKeyPair();
                    Files.writeString(pem, "-----BEGIN PRIVATE KEY-----\n"
                            + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(pair.getPrivate().getEncoded())
                            + "\n-----END PRIVATE KEY-----\n");
                }
                String body = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
                RSAPrivateCrtKey key = (RSAPrivateCrtKey) rsa.generatePrivate(
                        new java.security.spec.PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
                rsa.generatePublic(new RSAPublicKeySpec(key.getModulus(), key.getPublicExponent()));
                String kid = Keys.toChecksumAddress(LocalChain.devAccount(LocalSystem.FIRST_MATCHMAKER + i).getAddress());
                jwks.add("{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"" + kid + "\",\"n\":\""
                        + base64Url(key.getModulus()) + "\",\"e\":\"" + base64Url(key.getPublicExponent()) + "\"}");
            }
            Files.writeString(jwks(home), "{\"keys\":[" + String.join(",", jwks) + "]}\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the matchmakers' JWT keys in " + home, e);
        } catch (NoSuchAlgorithmException | java.security.spec.InvalidKeySpecException e) {
            throw new IllegalStateException("cannot make RSA keys: " + e.getMessage(), e);
        }
    }

    private static String base64Url(BigInteger value) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
