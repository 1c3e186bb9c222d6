package org.openspheron.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.chain.Reverts.assertReverts;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Client certificate fingerprints bound to accounts: published once, revoked for good. */
class CertificateRegistryTest {
    private static final String FINGERPRINT = ProtocolFixture.manifestHash("tenant certificate");
    @RegisterExtension
    static final ProtocolFixture protocol = ProtocolFixture.start();

    @Test
    void aPublishedFingerprintNamesItsAccount() {
        assertThat(protocol.reader().certificateOwner(FINGERPRINT)).isEmpty();
        TenantClient tenant = protocol.tenant(0);
        tenant.publishCertificate(FINGERPRINT);
        assertThat(protocol.reader().certificateOwner(FINGERPRINT)).hasValueSatisfying(
                owner -> assertThat(owner).isEqualToIgnoringCase(tenant.address()));
    }

    @Test
    void aFingerprintBelongsToOneAccountForever() {
        protocol.tenant(0).publishCertificate(FINGERPRINT);
        assertReverts("FingerprintTaken", () -> protocol.tenant(1).publishCertificate(FINGERPRINT));
        protocol.tenant(0).revokeCertificate(FINGERPRINT);
        assertReverts("FingerprintTaken", () -> protocol.tenant(0).publishCertificate(FINGERPRINT));
        assertReverts("FingerprintTaken", () -> protocol.tenant(1).publishCertificate(FINGERPRINT));
    }

    @Test
    void aZeroFingerprintIsRefused() {
        assertReverts("ZeroFingerprint", () -> protocol.tenant(0).publishCertificate("0x" + "0".repeat(64)));
    }

    @Test
    void onlyTheOwnerRevokesAndARevokedFingerprintHasNoOwner() {
        protocol.tenant(0).publishCertificate(FINGERPRINT);
        assertReverts("NotCertificateOwner", () -> protocol.tenant(1).revokeCertificate(FINGERPRINT));
        assertThat(protocol.reader().certificateOwner(FINGERPRINT)).isPresent();

        protocol.tenant(0).revokeCertificate(FINGERPRINT);
        assertThat(protocol.reader().certificateOwner(FINGERPRINT)).isEmpty();
    }
}
