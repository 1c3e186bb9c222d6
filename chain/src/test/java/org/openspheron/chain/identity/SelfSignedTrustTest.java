package org.openspheron.chain.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SelfSignedTrustTest {
    private static final String ADDRESS = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
    private static final X509Certificate VALID =
            ClientIdentity.create(ADDRESS, List.of(), Duration.ofDays(1)).certificate();
    private static final X509Certificate EXPIRED =
            ClientIdentity.create(ADDRESS, List.of(), Duration.ofMinutes(-1)).certificate();

    @Test
    void gatewayAcceptsAValidSelfSignedClientCertificateAndNoServer() throws Exception {
        SelfSignedTrust trust = SelfSignedTrust.clients();
        trust.checkClientTrusted(new X509Certificate[]{VALID}, "EC");

        assertThatThrownBy(() -> trust.checkClientTrusted(new X509Certificate[]{EXPIRED}, "EC"))
                .isInstanceOf(CertificateException.class);
        assertThatThrownBy(() -> trust.checkClientTrusted(new X509Certificate[0], "EC"))
                .hasMessageContaining("client certificate is required");
        assertThatThrownBy(() -> trust.checkServerTrusted(new X509Certificate[]{VALID}, "EC"))
                .isInstanceOf(CertificateException.class);
        assertThat(trust.getAcceptedIssuers()).isEmpty();
    }

    @Test
    void userSideRecordsTheGatewaysCertificateAndRefusesClients() throws Exception {
        AtomicReference<X509Certificate> seen = new AtomicReference<>();
        SelfSignedTrust trust = SelfSignedTrust.servers(seen::set);

        assertThatThrownBy(() -> trust.checkServerTrusted(new X509Certificate[]{EXPIRED}, "EC"))
                .isInstanceOf(CertificateException.class);
        assertThat(seen.get()).isNull();
        trust.checkServerTrusted(new X509Certificate[]{VALID}, "EC");
        assertThat(seen.get()).isEqualTo(VALID);
        assertThatThrownBy(() -> trust.checkClientTrusted(new X509Certificate[]{VALID}, "EC"))
                .isInstanceOf(CertificateException.class);
    }
}
