package org.openspheron.chain.identity;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.function.Function;

/**
 * Pins a provider's gateway to the provider's account. The provider publishes the SHA-256 fingerprint of its
 * gateway certificate in the CertificateRegistry from its own key (the provider operator does so at start, see
 * its {@code GatewayCertificate}); a user accepts a gateway only when the certificate it presents was published by
 * the lease's provider. Without the pin, whoever answers at the registered URL (a hijacked DNS name, a proxy on the
 * way) would receive the user's manifest and its secrets.
 */
public final class ProviderCertificate {

    /** The gateway's certificate is not the one the provider published: the connection is refused. */
    public static final class NotPinned extends CertificateException {
        private static final long serialVersionUID = 1L;
        private final String owner;

        NotPinned(String message, String owner) {
            super(message);
            this.owner = owner;
        }

        /** Who published the certificate instead of the provider; empty when nobody did (yet). */
        public Optional<String> owner() {
            return Optional.ofNullable(owner);
        }
    }

    private ProviderCertificate() {
    }

    /**
     * A check for {@link SelfSignedTrust#servers}: the presented certificate's fingerprint must be published by
     * {@code provider}.
     *
     * @param ownerOf the registry's owner of a fingerprint (e.g. {@code ProtocolReader::certificateOwner})
     */
    public static SelfSignedTrust.CertificateCheck pinnedTo(Function<String, Optional<String>> ownerOf, String provider) {
        return certificate -> check(ownerOf, provider, certificate);
    }

    static void check(Function<String, Optional<String>> ownerOf, String provider, X509Certificate certificate)
            throws NotPinned {
        String fingerprint = ClientIdentity.fingerprint(certificate);
        Optional<String> owner;
        try {
            owner = ownerOf.apply(fingerprint);
        } catch (RuntimeException e) {
            throw new NotPinned("cannot check the gateway's certificate " + fingerprint
                    + " against the certificate registry: " + e.getMessage(), null);
        }
        if (owner.isEmpty()) {
            throw new NotPinned("the gateway's certificate " + fingerprint + " is not published on chain; provider "
                    + provider + " publishes its gateway certificate when its operator starts, so this is either a"
                    + " provider still starting or not the provider's gateway. Nothing was sent", null);
        }
        if (!owner.get().equalsIgnoreCase(provider)) {
            throw new NotPinned("the gateway's certificate " + fingerprint + " is published by " + owner.get()
                    + ", not by the lease's provider " + provider + ": not the provider's gateway. Nothing was sent", owner.get());
        }
    }
}
