package org.openspheron.chain.identity;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * TLS trust for the self-signed {@link ClientIdentity} certificates of the protocol, on either end of the gateway
 * connection. There is deliberately no certificate authority: users and providers create their own self-signed
 * certificates, and which account a certificate speaks for is decided against the on-chain CertificateRegistry
 * (the gateway per request, the CLI per connection), not here. The TLS handshake itself proves
 * the peer holds the certificate's private key.
 *
 * <p>Each instance trusts one direction only: {@link #clients()} on the gateway, {@link #servers} on the user's
 * side. Being an {@link X509ExtendedTrustManager} also keeps the JDK from checking host names against a
 * certificate that was never issued for them.
 */
public final class SelfSignedTrust extends X509ExtendedTrustManager {
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";

    private enum Peer { CLIENT, SERVER }

    private final Peer trusted;
    private final CertificateCheck accepted;

    /** A further check of a peer's certificate, once it is well-formed and valid; throws to refuse the peer. */
    @FunctionalInterface
    public interface CertificateCheck {
        void check(X509Certificate leaf) throws CertificateException;
    }

    private SelfSignedTrust(Peer trusted, CertificateCheck accepted) {
        this.trusted = trusted;
        this.accepted = accepted;
    }

    /**
     * The gateway's trust in client certificates: any well-formed certificate that is valid now and meant for client
     * authentication; a self-signed one must also carry a correct signature by its own key.
     */
    public static SelfSignedTrust clients() {
        return new SelfSignedTrust(Peer.CLIENT, certificate -> { });
    }

    /**
     * A user's trust in a provider's gateway: a currently valid self-signed certificate that {@code accepted} also
     * accepts; the CLI pins it there to the certificate the lease's provider published on chain
     * ({@link ProviderCertificate#pinnedTo}).
     */
    public static SelfSignedTrust servers(CertificateCheck accepted) {
        return new SelfSignedTrust(Peer.SERVER, accepted);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (trusted != Peer.CLIENT) {
            throw new CertificateException("a client does not accept client certificates");
        }
        X509Certificate leaf = validLeaf(chain, "a client certificate is required");
        List<String> usages = leaf.getExtendedKeyUsage();
        if (usages != null && !usages.contains(CLIENT_AUTH) && !usages.contains(ANY_EXTENDED_KEY_USAGE)) {
            throw new CertificateException("the client certificate is not meant for client authentication");
        }
        if (leaf.getSubjectX500Principal().equals(leaf.getIssuerX500Principal())) {
            try {
                leaf.verify(leaf.getPublicKey());
            } catch (GeneralSecurityException e) {
                throw new CertificateException("the self-signed client certificate has a bad signature", e);
            }
        }
        accepted.check(leaf);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (trusted != Peer.SERVER) {
            throw new CertificateException("the gateway trusts no servers");
        }
        accepted.check(validLeaf(chain, "the gateway presented no certificate"));
    }

    private static X509Certificate validLeaf(X509Certificate[] chain, String missing) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException(missing);
        }
        chain[0].checkValidity();
        return chain[0];
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    /** Empty: the certificate request names no authority, so peers offer their self-signed certificate. */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
