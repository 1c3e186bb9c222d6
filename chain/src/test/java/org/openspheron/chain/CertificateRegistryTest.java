package org.openspheron.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.chain.Reverts.assertReverts;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Certificate fingerprints vouched for per account: published once by each account, revoked for good. */
class CertificateRegistryTest {
    private static final String FINGERPRINT = ProtocolFixture.manifestHash("tenant certificate");
    @RegisterExtension
    static final ProtocolFixture protocol = ProtocolFixture.start();

    @Test
    void aPublishedFingerprintIsValidForItsAccountOnly() {
        TenantClient tenant = protocol.tenant(0);
        assertThat(protocol.reader().certificate(tenant.address(), FINGERPRINT)).isEqualTo(CertificateState.UNPUBLISHED);

        tenant.publishCertificate(FINGERPRINT);

        assertThat(protocol.reader().certificateValid(tenant.address(), FINGERPRINT)).isTrue();
        assertThat(protocol.reader().certificate(tenant.address(), FINGERPRINT)).isEqualTo(CertificateState.VALID);
        assertThat(protocol.reader().certificateValid(protocol.tenant(1).address(), FINGERPRINT)).isFalse();
    }

    /**
     * Issue 12, attack 13, "certificate squatting": certificates are public (every TLS handshake shows one, and a
     * publication waits in the mempool), so another account publishes the tenant's fingerprint first. The tenant
     * still publishes it, and what the squatter does with its own entry never touches the tenant's.
     */
    @Test
    void frontRunPublishCannotSquatATenantsCertificate() {
        TenantClient tenant = protocol.tenant(0);
        TenantClient squatter = protocol.tenant(1);
        squatter.publishCertificate(FINGERPRINT);

        tenant.publishCertificate(FINGERPRINT);
        assertThat(protocol.reader().certificateValid(tenant.address(), FINGERPRINT)).isTrue();

        squatter.revokeCertificate(FINGERPRINT);
        assertThat(protocol.reader().certificateValid(tenant.address(), FINGERPRINT)).isTrue();
        assertThat(protocol.reader().certificateValid(squatter.address(), FINGERPRINT)).isFalse();
    }

    @Test
    void anAccountPublishesAFingerprintOnce() {
        protocol.tenant(0).publishCertificate(FINGERPRINT);
        assertReverts("CertificateAlreadyPublished", () -> protocol.tenant(0).publishCertificate(FINGERPRINT));
    }

    @Test
    void aRevokedFingerprintCannotBePublishedAgainByThatAccount() {
        protocol.tenant(0).publishCertificate(FINGERPRINT);
        protocol.tenant(0).revokeCertificate(FINGERPRINT);

        assertReverts("CertificateRevoked", () -> protocol.tenant(0).publishCertificate(FINGERPRINT));
        assertReverts("CertificateRevoked", () -> protocol.tenant(0).revokeCertificate(FINGERPRINT));
        assertThat(protocol.reader().certificate(protocol.tenant(0).address(), FINGERPRINT))
                .isEqualTo(CertificateState.REVOKED);
    }

    @Test
    void aZeroFingerprintIsRefused() {
        assertReverts("ZeroFingerprint", () -> protocol.tenant(0).publishCertificate("0x" + "0".repeat(64)));
    }

    @Test
    void onlyThePublisherRevokesItsEntryAndARevokedOneIsNotValid() {
        TenantClient tenant = protocol.tenant(0);
        tenant.publishCertificate(FINGERPRINT);
        assertReverts("CertificateNotPublished", () -> protocol.tenant(1).revokeCertificate(FINGERPRINT));
        assertThat(protocol.reader().certificateValid(tenant.address(), FINGERPRINT)).isTrue();

        tenant.revokeCertificate(FINGERPRINT);
        assertThat(protocol.reader().certificateValid(tenant.address(), FINGERPRINT)).isFalse();
    }
}
