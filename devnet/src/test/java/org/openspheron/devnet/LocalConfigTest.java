package org.openspheron.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openspheron.chain.LocalChain;
import org.web3j.crypto.Keys;

class LocalConfigTest {
    @Test
    void pricesAreKeyedByTheModelTokenTheOperatorDerivesFromNodeLabels() {
        assertThat(LocalConfig.gpuModel("NVIDIA-A100-SXM4-80GB")).isEqualTo("A100");
        assertThat(LocalConfig.gpuModel("NVIDIA-H100-80GB-HBM3")).isEqualTo("H100");
        assertThat(LocalConfig.gpuModel("NVIDIA-GeForce-RTX-4090")).isEqualTo("RTX4090");
        assertThat(LocalConfig.gpuModel("NVIDIA-RTX-A6000")).isEqualTo("A6000");
    }

    @Test
    void everyMatchmakerSignsWithItsOwnKeyAndTrustsAllOperatorsByAddress(@TempDir Path home) throws Exception {
        MatchmakerKeys.ensure(home, 3);
        JsonNode keys = new ObjectMapper().readTree(Files.readString(MatchmakerKeys.jwks(home))).get("keys");
        assertThat(keys).hasSize(3);
        for (int i = 0; i < 3; i++) {
            JsonNode jwk = keys.get(i);
            assertThat(jwk.get("kid").asText()).isEqualTo(Keys.toChecksumAddress(
                    LocalChain.devAccount(LocalSystem.FIRST_MATCHMAKER + i).getAddress()));
            String pem = Files.readString(MatchmakerKeys.signingKey(home, i))
                    .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            RSAPrivateCrtKey key = (RSAPrivateCrtKey) KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
            assertThat(new BigInteger(1, Base64.getUrlDecoder().decode(jwk.get("n").asText()))).isEqualTo(key.getModulus());
        }
        assertThat(keys.get(0).get("n").asText()).isNotEqualTo(keys.get(1).get("n").asText());

        String before = Files.readString(MatchmakerKeys.signingKey(home, 0));
        MatchmakerKeys.ensure(home, 3);
        assertThat(Files.readString(MatchmakerKeys.signingKey(home, 0))).as("keys survive a restart").isEqualTo(before);
    }
}
