package org.openspheron.chain.identity;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

/**
 * Pins a provider's gateway to the provider's account. The provider publishes the SHA-256 fingerprint of its
 * gateway certificate in the CertificateRegistry from its own key (the provider operator does so at start, see
 * its {@code GatewayCertificate}); a user accepts a gateway only when the provider vouches for the certificate it
 * presents. Without the pin, whoever answers at the registered URL (a hijacked DNS name, a proxy on the way) would
 * receive the user's manifest and its secrets. The registry is asked about the lease's provider only: other accounts
 * may publish the same fingerprint (certificates are public), which neither helps nor hinders anyone, since the TLS
 * handshake proves the gateway holds the certificate's key.
 */
public final class ProviderCertificate {

    /** Whether an account vouches for a certificate fingerprint, e.g. {@code ProtocolReader::certificateValid}. */
    @FunctionalInterface
    public interface Registry {
        boolean isValid(String account, String fingerprint);
    }

    /** The provider does not vouch for the gateway's certificate (yet): the connection is refused. */
    public static final class NotPinned extends CertificateException {
        private static final long serialVersionUID = 1L;

        NotPinned(String message) {
            super(message);
        }
    }

    private ProviderCertificate() {
    }

    /**
     * A check for {@link SelfSignedTrust#servers}: {@code provider} must vouch for the presented certificate's
     * fingerprint in {@code registry}.
     */
    public static SelfSignedTrust.CertificateCheck pinnedTo(Registry registry, String provider) {
        return certificate -> check(registry, provider, certificate);
    }

    static void check(Registry registry, String provider, X509Certificate certificate) throws NotPinned {
        String fingerprint = ClientIdentity.fingerprint(certificate);
        boolean valid;
        try {
            valid = registry.isValid(provider, fingerprint);
        } catch (RuntimeException e) {
            throw new NotPinned("cannot check the gateway's certificate " + fingerprint
                    + " against the certificate registry: " + e.getMessage());
        }
        if (!valid) {
            throw new NotPinned("the gateway's certificate " + fingerprint + " is not published on chain by the"
                    + " lease's provider " + provider + ", which publishes its gateway certificate when its operator"
                    + " starts: either a provider still starting or not the provider's gateway. Nothing was sent");
        }
    }
}
