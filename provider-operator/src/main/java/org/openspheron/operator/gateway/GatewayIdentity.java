package org.openspheron.operator.gateway;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.jboss.logging.Logger;
import org.openspheron.chain.identity.ClientIdentity;

/**
 * The gateway's server key and certificate: a {@link ClientIdentity} of the provider's address, created on first
 * start and kept (in a {@code kubernetes.io/tls} Secret or in two PEM files) so that the fingerprint users see stays
 * the same across restarts. A stored identity is replaced only when it names another address or is about to expire.
 */
public final class GatewayIdentity {
    private static final Logger LOG = Logger.getLogger(GatewayIdentity.class);
    static final Duration VALIDITY = Duration.ofDays(365);
    private static final Duration RENEW_BEFORE = Duration.ofDays(7);
    private static final String FILE_NAME = "gateway";

    private GatewayIdentity() {
    }

    /** The identity in Secret {@code namespace/name}, created there when absent or unusable. */
    public static ClientIdentity inSecret(KubernetesClient client, String namespace, String name, String address,
            List<String> hostNames) {
        var secrets = client.secrets().inNamespace(namespace);
        Secret stored = secrets.withName(name).get();
        if (stored != null) {
            ClientIdentity identity = fromSecret(stored);
            if (identity != null && usableFor(identity, address)) {
                return identity;
            }
            LOG.infof("gateway identity in secret %s/%s is unusable for %s (expired or another address); replacing it",
                    namespace, name, address);
        }
        ClientIdentity created = ClientIdentity.create(address, hostNames, VALIDITY);
        Secret secret = new SecretBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels("app.kubernetes.io/managed-by", "spheron-provider-operator")
                .addToLabels("app.kubernetes.io/component", "gateway")
                .endMetadata()
                .withType("kubernetes.io/tls")
                .withData(Map.of("tls.crt", base64(ClientIdentity.pem(created.certificate())),
                        "tls.key", base64(privateKeyPem(created.privateKey()))))
                .build();
        try {
            if (stored == null) {
                secrets.resource(secret).create();
            } else {
                secrets.resource(secret).update();
            }
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                // another replica created it first: use theirs so both present the same certificate
                return inSecret(client, namespace, name, address, hostNames);
            }
            throw new IllegalStateException("cannot store the gateway identity in secret " + namespace + "/" + name
                    + ": " + e.getMessage(), e);
        }
        LOG.infof("created gateway identity for %s in secret %s/%s, fingerprint %s", address, namespace, name,
                created.fingerprint());
        return created;
    }

    /** The identity in {@code directory} ({@code gateway.key.pem}, {@code gateway.crt.pem}), created when absent. */
    public static ClientIdentity inDirectory(Path directory, String address, List<String> hostNames) {
        if (Files.exists(directory.resolve(FILE_NAME + ".crt.pem"))) {
            ClientIdentity stored = ClientIdentity.readPem(directory, FILE_NAME);
            if (usableFor(stored, address)) {
                return stored;
            }
        }
        ClientIdentity created = ClientIdentity.create(address, hostNames, VALIDITY);
        created.writePem(directory, FILE_NAME);
        LOG.infof("created gateway identity for %s in %s, fingerprint %s", address, directory, created.fingerprint());
        return created;
    }

    static boolean usableFor(ClientIdentity identity, String address) {
        X509Certificate certificate = identity.certificate();
        try {
            certificate.checkValidity(java.util.Date.from(Instant.now().plus(RENEW_BEFORE)));
        } catch (CertificateException e) {
            return false;
        }
        return address.equalsIgnoreCase(ClientIdentity.addressOf(certificate));
    }

    private static ClientIdentity fromSecret(Secret secret) {
        Map<String, String> data = secret.getData();
        if (data == null || !data.containsKey("tls.crt") || !data.containsKey("tls.key")) {
            return null;
        }
        try {
            Object key = parsePem(decode(data.get("tls.key")));
            Object cert = parsePem(decode(data.get("tls.crt")));
            PrivateKey privateKey = ClientIdentity.privateKey(key);
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate((X509CertificateHolder) cert);
            return new ClientIdentity(privateKey, certificate);
        } catch (IOException | GeneralSecurityException | ClassCastException | IllegalArgumentException e) {
            LOG.warnf("the gateway identity secret %s holds no usable key and certificate: %s",
                    secret.getMetadata().getName(), e.getMessage());
            return null;
        }
    }

    private static String privateKeyPem(PrivateKey key) {
        try {
            return ClientIdentity.pem(new JcaPKCS8Generator(key, null).generate());
        } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
            throw new IllegalStateException("cannot encode the gateway key: " + e.getMessage(), e);
        }
    }

    private static Object parsePem(String pem) throws IOException {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object object = parser.readObject();
            if (object == null) {
                throw new IOException("no PEM object found");
            }
            return object;
        }
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}
