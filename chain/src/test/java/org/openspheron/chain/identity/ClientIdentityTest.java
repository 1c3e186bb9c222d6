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
        assertThat(Files.getPosixFilePermissions(dir.resolve("tenant.key.pem")))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        assertThat(read.certificate().getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList()).contains("localhost", "127.0.0.1");
    }

    @Test
    void anIdentityReadFromPemIsOfferedByTheJdksTlsAsAClientCertificate(@TempDir Path dir) throws Exception {
        ClientIdentity.create(ADDRESS, List.of(), Duration.ofDays(1)).writePem(dir, "tenant");
        ClientIdentity read = ClientIdentity.readPem(dir, "tenant");

        char[] password = "changeit".toCharArray();
        javax.net.ssl.KeyManagerFactory factory = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
        factory.init(read.keyStore("tenant", password), password);
        javax.net.ssl.X509KeyManager keys = (javax.net.ssl.X509KeyManager) factory.getKeyManagers()[0];
        String alias = keys.chooseClientAlias(new String[]{"EC"}, null, null);
        assertThat(alias).isNotNull();
        // The JDK's TLS client drops a possession whose key algorithm differs from the certificate's ("EC"),
        // whether the key manager is built from keyStore() or directly from the record's key.
        assertThat(read.privateKey().getAlgorithm()).isEqualTo(read.certificate().getPublicKey().getAlgorithm());
        assertThat(keys.getPrivateKey(alias).getAlgorithm())
                .isEqualTo(keys.getCertificateChain(alias)[0].getPublicKey().getAlgorithm()).isEqualTo("EC");
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
