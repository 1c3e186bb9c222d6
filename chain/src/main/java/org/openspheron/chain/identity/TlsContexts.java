package org.openspheron.chain.identity;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;

/** The TLS contexts of the gateway connection, built around a {@link ClientIdentity} and a {@link SelfSignedTrust}. */
public final class TlsContexts {
    private TlsContexts() {
    }

    /** The user's side: presents {@code identity} as client certificate whatever issuers the server names. */
    public static SSLContext client(ClientIdentity identity, SelfSignedTrust trust) {
        return context(new IdentityKeyManager(identity), trust);
    }

    /** A server presenting {@code identity}, asking clients for certificates that {@code trust} accepts. */
    public static SSLContext server(ClientIdentity identity, SelfSignedTrust trust) {
        return context(keyManager(identity), trust);
    }

    /** The JDK's key manager for {@code identity}: what a server that builds its own TLS (Vert.x) needs. */
    public static X509KeyManager keyManager(ClientIdentity identity) {
        try {
            char[] password = new char[0];
            KeyStore store = identity.keyStore("identity", password);
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password);
            return (X509KeyManager) factory.getKeyManagers()[0];
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot use the key of " + identity.certificate().getSubjectX500Principal()
                    + ": " + e.getMessage(), e);
        }
    }

    private static SSLContext context(KeyManager keys, SelfSignedTrust trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[]{keys}, new TrustManager[]{trust}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /**
     * Offers the identity's certificate whatever issuers the server names: it is self-signed, and the server finds it
     * through the chain rather than through an authority.
     */
    private static final class IdentityKeyManager extends X509ExtendedKeyManager {
        private static final String ALIAS = "client";
        private final ClientIdentity identity;

        IdentityKeyManager(ClientIdentity identity) {
            this.identity = identity;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[]{ALIAS};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return ALIAS;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return ALIAS;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return new X509Certificate[]{identity.certificate()};
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return identity.privateKey();
        }
    }
}
