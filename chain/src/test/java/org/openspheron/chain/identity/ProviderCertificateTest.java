package org.openspheron.chain.identity;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openspheron.chain.ChainException;
import org.openspheron.chain.ProviderClient;
import org.openspheron.chain.ProtocolFixture;
import org.web3j.crypto.Keys;

/** A user's pin of a provider's gateway certificate, against the CertificateRegistry on a real chain. */
class ProviderCertificateTest {
    @RegisterExtension
    static final ProtocolFixture protocol = ProtocolFixture.start();

    @Test
    void theGatewayCertificateThatTheLeasesProviderPublishedIsAccepted() {
        ProviderClient provider = protocol.provider(0);
        ClientIdentity gateway = ClientIdentity.create(provider.address(), List.of("127.0.0.1"), Duration.ofDays(1));
        provider.publishGatewayCertificate(gateway.fingerprint());

        String checksummed = Keys.toChecksumAddress(provider.address());
        SelfSignedTrust trust = SelfSignedTrust.servers(
                ProviderCertificate.pinnedTo(protocol.reader()::certificateValid, checksummed));
        assertThatCode(() -> trust.checkServerTrusted(new X509Certificate[]{gateway.certificate()}, "EC"))
                .doesNotThrowAnyException();
    }

    @Test
    void anUnpublishedCertificateIsRefusedEvenWhenItNamesTheProvider() {
        ProviderClient provider = protocol.provider(0);
        // Anyone can put the provider's address into a self-signed certificate: only the registry entry counts.
        ClientIdentity impostor = ClientIdentity.create(provider.address(), List.of("127.0.0.1"), Duration.ofDays(1));

        SelfSignedTrust trust = SelfSignedTrust.servers(
                ProviderCertificate.pinnedTo(protocol.reader()::certificateValid, provider.address()));
        assertThatThrownBy(() -> trust.checkServerTrusted(new X509Certificate[]{impostor.certificate()}, "EC"))
                .isInstanceOf(ProviderCertificate.NotPinned.class)
                .hasMessageContaining(impostor.fingerprint())
                .hasMessageContaining("is not published on chain")
                .hasMessageContaining("Nothing was sent");
    }

    @Test
    void aCertificatePublishedByAnotherProviderIsRefused() {
        ProviderClient leaseProvider = protocol.provider(0);
        ProviderClient other = protocol.provider(1);
        ClientIdentity othersGateway = ClientIdentity.create(other.address(), List.of(), Duration.ofDays(1));
        other.publishGatewayCertificate(othersGateway.fingerprint());

        SelfSignedTrust trust = SelfSignedTrust.servers(
                ProviderCertificate.pinnedTo(protocol.reader()::certificateValid, leaseProvider.address()));
        assertThatThrownBy(() -> trust.checkServerTrusted(new X509Certificate[]{othersGateway.certificate()}, "EC"))
                .isInstanceOf(ProviderCertificate.NotPinned.class)
                .hasMessageContaining(othersGateway.fingerprint() + " is not published on chain by the lease's provider "
                        + leaseProvider.address());
    }

    /**
     * Issue 12, attack 13, "certificate squatting", on the provider's side: a gateway certificate is public (the
     * gateway shows it to anyone who connects, and its publication waits in the mempool), so another account
     * publishes its fingerprint first. The provider still publishes it, and users still accept the gateway.
     */
    @Test
    void frontRunPublishCannotSquatAProvidersGatewayCertificate() {
        ProviderClient provider = protocol.provider(0);
        ClientIdentity gateway = ClientIdentity.create(provider.address(), List.of("127.0.0.1"), Duration.ofDays(1));
        protocol.tenant(0).publishCertificate(gateway.fingerprint());
        provider.publishGatewayCertificate(gateway.fingerprint());

        SelfSignedTrust trust = SelfSignedTrust.servers(
                ProviderCertificate.pinnedTo(protocol.reader()::certificateValid, provider.address()));
        assertThatCode(() -> trust.checkServerTrusted(new X509Certificate[]{gateway.certificate()}, "EC"))
                .doesNotThrowAnyException();
    }

    @Test
    void aRegistryThatCannotBeReadRefusesRatherThanTrusts() {
        ClientIdentity gateway = ClientIdentity.create(protocol.provider(0).address(), List.of(), Duration.ofDays(1));
        SelfSignedTrust trust = SelfSignedTrust.servers(ProviderCertificate.pinnedTo((account, fingerprint) -> {
            throw new ChainException("connection refused");
        }, protocol.provider(0).address()));

        assertThatThrownBy(() -> trust.checkServerTrusted(new X509Certificate[]{gateway.certificate()}, "EC"))
                .isInstanceOf(ProviderCertificate.NotPinned.class)
                .hasMessageContaining("cannot check the gateway's certificate")
                .hasMessageContaining("connection refused");
    }
}
