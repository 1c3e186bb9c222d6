package org.openspheron.operator.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openspheron.chain.CertificateState;
import org.openspheron.chain.ProtocolFixture;
import org.openspheron.chain.ProviderClient;
import org.openspheron.chain.identity.ClientIdentity;
import org.web3j.protocol.core.DefaultBlockParameterName;

/** The provider publishes its gateway certificate so users can pin it: once, from its own key, on a real chain. */
class GatewayCertificateTest {
    @RegisterExtension
    static final ProtocolFixture protocol = ProtocolFixture.start();

    private final ProviderClient provider = protocol.provider(0);
    private final AtomicReference<ClientIdentity> gateway = new AtomicReference<>();
    private final GatewayCertificate certificate = new GatewayCertificate(protocol.reader(), provider,
            () -> Optional.ofNullable(gateway.get()));

    @Test
    void theServedCertificateIsPublishedOnceByTheProvider() throws Exception {
        assertThat(certificate.publishIfNeeded()).as("nothing to publish before the gateway serves").isFalse();

        ClientIdentity served = ClientIdentity.create(provider.address(), List.of("127.0.0.1"), Duration.ofDays(365));
        gateway.set(served);
        assertThat(certificate.publishIfNeeded()).isTrue();
        assertThat(protocol.reader().certificateValid(provider.address(), served.fingerprint())).isTrue();

        BigInteger nonce = nonce();
        assertThat(certificate.publishIfNeeded()).isTrue();
        assertThat(new GatewayCertificate(protocol.reader(), provider, () -> Optional.of(served)).publishIfNeeded())
                .as("a restarted operator finds it published").isTrue();
        assertThat(nonce()).as("no second transaction").isEqualTo(nonce);
    }

    @Test
    void aRenewedCertificateIsPublishedToo() {
        ClientIdentity first = ClientIdentity.create(provider.address(), List.of(), Duration.ofDays(365));
        gateway.set(first);
        certificate.publishIfNeeded();
        ClientIdentity renewed = ClientIdentity.create(provider.address(), List.of(), Duration.ofDays(365));
        gateway.set(renewed);

        assertThat(certificate.publishIfNeeded()).isTrue();
        assertThat(protocol.reader().certificateValid(provider.address(), renewed.fingerprint())).isTrue();
    }

    /**
     * Issue 12, attack 13, "certificate squatting": the gateway shows its certificate to anyone who connects, so
     * another account publishes its fingerprint before the operator does. The provider publishes it all the same.
     */
    @Test
    void frontRunPublishCannotSquatTheGatewayCertificate() {
        ClientIdentity served = ClientIdentity.create(provider.address(), List.of(), Duration.ofDays(365));
        protocol.tenant(0).publishCertificate(served.fingerprint());
        gateway.set(served);

        assertThat(certificate.publishIfNeeded()).isTrue();
        assertThat(protocol.reader().certificateValid(provider.address(), served.fingerprint())).isTrue();
    }

    @Test
    void aCertificateForAnotherAddressIsNotPublished() {
        ClientIdentity foreign = ClientIdentity.create(protocol.provider(1).address(), List.of(), Duration.ofDays(365));
        gateway.set(foreign);

        assertThat(certificate.publishIfNeeded()).isFalse();
        assertThat(protocol.reader().certificate(provider.address(), foreign.fingerprint()))
                .isEqualTo(CertificateState.UNPUBLISHED);
    }

    private BigInteger nonce() throws Exception {
        return protocol.connection().web3j().ethGetTransactionCount(provider.address(), DefaultBlockParameterName.LATEST)
                .send().getTransactionCount();
    }
}
