package org.openspheron.operator.gateway;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trust for the gateway's client certificates: any well-formed certificate that is valid now and meant for client
 * authentication passes the TLS handshake; a self-signed one must also carry a correct signature by its own key.
 * The TLS handshake itself proves the client holds the certificate's private key.
 *
 * <p>There is deliberately no certificate authority: users create their own self-signed certificate and bind it to
 * their account by publishing its fingerprint on chain. Which account a certificate speaks for, and whether that
 * account may touch a lease, is decided per request against the on-chain CertificateRegistry, not here.
 */
final class ClientCertificateTrust extends X509ExtendedTrustManager {
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("a client certificate is required");
        }
        X509Certificate leaf = chain[0];
        leaf.checkValidity();
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
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("the gateway trusts no servers");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    /** Empty: the certificate request names no authority, so clients offer their self-signed certificate. */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
