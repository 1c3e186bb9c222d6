package org.openspheron.operator.protocol;

import java.util.Optional;
import java.util.function.Supplier;
import org.jboss.logging.Logger;
import org.openspheron.chain.CertificateState;
import org.openspheron.chain.ProtocolReader;
import org.openspheron.chain.ProviderClient;
import org.openspheron.chain.identity.ClientIdentity;

/**
 * Publishes the gateway's certificate in the CertificateRegistry from the provider's key. Users pin the gateway to
 * it: the CLI sends a manifest only to a gateway whose certificate the lease's provider published, so an unpublished
 * certificate means no user can deploy here. Runs on the provider's scheduler with its one transaction sender, at
 * start and then at every registration check, so a renewed certificate is published too.
 */
final class GatewayCertificate {
    private static final Logger LOG = Logger.getLogger(GatewayCertificate.class);

    private final ProtocolReader reader;
    private final ProviderClient provider;
    private final Supplier<Optional<ClientIdentity>> gateway;
    private String published;
    private String reported;

    /** @param gateway the gateway's identity once it serves; empty before that or when it is disabled */
    GatewayCertificate(ProtocolReader reader, ProviderClient provider, Supplier<Optional<ClientIdentity>> gateway) {
        this.reader = reader;
        this.provider = provider;
        this.gateway = gateway;
    }

    /** @return whether the served certificate is published by this provider now */
    boolean publishIfNeeded() {
        Optional<ClientIdentity> identity = gateway.get();
        if (identity.isEmpty()) {
            return false;
        }
        String fingerprint = identity.get().fingerprint();
        if (fingerprint.equals(published)) {
            return true;
        }
        String named = ClientIdentity.addressOf(identity.get().certificate());
        if (!provider.address().equalsIgnoreCase(named)) {
            report(fingerprint, "the gateway's certificate " + fingerprint + " names " + named + ", not this provider "
                    + provider.address() + " (spheron.gateway.provider-address?); it is not published, and users"
                    + " will refuse the gateway");
            return false;
        }
        // Only this provider's own entry counts: whoever else published the fingerprint (certificates are public)
        // neither stops this publication nor makes users accept the gateway.
        CertificateState state = reader.certificate(provider.address(), fingerprint);
        if (state == CertificateState.REVOKED) {
            report(fingerprint, "the gateway certificate " + fingerprint + " was revoked on chain by this provider "
                    + provider.address() + " and cannot be published again; users will refuse the gateway. Delete the"
                    + " gateway identity (its Secret or PEM files) and restart the operator to get a new certificate");
            return false;
        }
        if (state == CertificateState.UNPUBLISHED) {
            provider.publishGatewayCertificate(fingerprint);
            LOG.infof("published the gateway certificate %s on chain: users can now verify this provider's gateway",
                    fingerprint);
        }
        published = fingerprint;
        return true;
    }

    private void report(String fingerprint, String message) {
        if (!fingerprint.equals(reported)) {
            LOG.error(message);
            reported = fingerprint;
        }
    }
}
