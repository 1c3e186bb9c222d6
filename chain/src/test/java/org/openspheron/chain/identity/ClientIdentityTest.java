package org.openspheron.chain.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientIdentityTest {
    private static final String ADDRESS = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";

    @Test
    void certificateNamesTheAccountAndSurvivesAPemRoundTrip(@TempDir Path dir) throws Exception {
        ClientIdentity identity = ClientIdentity.create(ADDRESS, List.of("localhost", "127.0.0.1"), Duration.ofDays(30));
        identity.writePem(dir, "tenant");

        ClientIdentity read = ClientIdentity.readPem(dir, "tenant");
        assertThat(ClientIdentity.addressOf(read.certificate())).isEqualTo(ADDRESS.toLowerCase());
        assertThat(read.fingerprint()).isEqualTo(identity.fingerprint()).matches("0x[0-9a-f]{64}");
        assertThat(((java.security.interfaces.ECPrivateKey) read.privateKey()).getS())
                .isEqualTo(((java.security.interfaces.ECPrivateKey) identity.privateKey()).getS());
        assertThat(Files.getPosixFilePermissions(dir.resolve("tenant.key.pem"))).containsExactlyInAnyOrder(
                java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        assertThat(read.certificate().getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList()).contains("localhost", "127.0.0.1");
    }

    @Test
    void twoIdentitiesOfOneAccountHaveDifferentFingerprints() {
        ClientIdentity a = ClientIdentity.create(ADDRESS, List.of(), Duration.ofDays(1));
        ClientIdentity b = ClientIdentity.create(ADDRESS, List.of(), Duration.ofDays(1));
        assertThat(a.fingerprint()).isNotEqualTo(b.fingerprint());
    }

    @Test
    void readingSomethingElseFailsWithTheFileNamed(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("broken.key.pem"), "not a pem");
        Files.writeString(dir.resolve("broken.crt.pem"), "not a pem");
        assertThatThrownBy(() -> ClientIdentity.readPem(dir, "broken")).hasMessageContaining("broken");
    }
}
