package org.openspheron.chain.identity;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

/**
 * A TLS identity bound to an on-chain account: an EC P-256 key and a self-signed X.509 certificate whose subject
 * CN is the account's address. The binding itself is on chain: the account publishes the certificate's
 * {@link #fingerprint() SHA-256 fingerprint} in the CertificateRegistry, and a provider's gateway accepts the
 * certificate for a lease only when the lease's tenant published that fingerprint. (A certificate signed by the
 * account key was the alternative; the registry was chosen because it can be revoked and checked by anyone.)
 *
 * <p>Providers use the same type for their gateway's server certificate (with DNS/IP subject alternative names).
 */
public record ClientIdentity(PrivateKey privateKey, X509Certificate certificate) {
    // Keys, signatures and certificates all come from the JDK's own providers (Bouncy Castle only builds and parses
    // the ASN.1 and PEM): no JCA lookup by name reaches Bouncy Castle's provider, whose algorithms a native image would
    // have to register class by class.

    /** A new key and a certificate for {@code address}, valid for {@code validity}, usable as TLS client and server. */
    public static ClientIdentity create(String address, List<String> hostNames, Duration validity) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair keys = generator.generateKeyPair();
            X500Name subject = new X500Name("CN=" + address.toLowerCase() + ",O=Open Spheron");
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                    new BigInteger(64, new SecureRandom()).abs().add(BigInteger.ONE),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(validity)), subject, keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[]{KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_serverAuth}));
            if (!hostNames.isEmpty()) {
                GeneralName[] names = hostNames.stream()
                        .map(h -> h.matches("[0-9.]+|.*:.*") ? new GeneralName(GeneralName.iPAddress, h)
                                : new GeneralName(GeneralName.dNSName, h))
                        .toArray(GeneralName[]::new);
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            }
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate());
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(builder.build(signer));
            return new ClientIdentity(keys.getPrivate(), certificate);
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create a certificate for " + address + ": " + e.getMessage(), e);
        }
    }

    /** 0x-prefixed SHA-256 of the certificate's DER encoding: what goes into the CertificateRegistry. */
    public String fingerprint() {
        return fingerprint(certificate);
    }

    public static String fingerprint(X509Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return "0x" + HexFormat.of().formatHex(digest);
        } catch (CertificateEncodingException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot fingerprint certificate: " + e.getMessage(), e);
        }
    }

    /** The address in the certificate's subject CN (lower case), or null when it carries none. */
    public static String addressOf(X509Certificate certificate) {
        String dn = certificate.getSubjectX500Principal().getName();
        for (String part : dn.split(",")) {
            String trimmed = part.trim();
            if (trimmed.regionMatches(true, 0, "CN=", 0, 3)) {
                String cn = trimmed.substring(3);
                return cn.matches("0x[0-9a-fA-F]{40}") ? cn.toLowerCase() : null;
            }
        }
        return null;
    }

    /** Writes {@code <name>.key.pem} (owner-only) and {@code <name>.crt.pem} into {@code directory}. */
    public void writePem(Path directory, String name) {
        try {
            Files.createDirectories(directory);
            Path key = directory.resolve(name + ".key.pem");
            // Owner-only before the key is in it: written first and restricted after, it was readable by anyone for a
            // moment in a directory that already existed with the usual umask.
            var ownerOnly = PosixFilePermissions.fromString("rw-------");
            try {
                if (Files.exists(key)) {
                    Files.setPosixFilePermissions(key, ownerOnly);
                } else {
                    Files.createFile(key, PosixFilePermissions.asFileAttribute(ownerOnly));
                }
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            Files.writeString(key, pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(privateKey, null).generate()));
            Files.writeString(directory.resolve(name + ".crt.pem"), pem(certificate));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the identity to " + directory, e);
        }
    }

    /** Reads what {@link #writePem} wrote. */
    public static ClientIdentity readPem(Path directory, String name) {
        try {
            Object key = parse(Files.readString(directory.resolve(name + ".key.pem")));
            Object cert = parse(Files.readString(directory.resolve(name + ".crt.pem")));
            PrivateKey privateKey = privateKey(key);
            X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate((org.bouncycastle.cert.X509CertificateHolder) cert);
            return new ClientIdentity(privateKey, certificate);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the identity " + name + " from " + directory, e);
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("the identity " + name + " in " + directory + " is not a key and certificate: "
                    + e.getMessage(), e);
        }
    }

    /**
     * The JDK's own EC key for a parsed PEM private key ({@link PEMKeyPair} or PKCS#8 {@link PrivateKeyInfo}): the
     * JDK's TLS matches it against the certificate's key (a Bouncy Castle "ECDSA" key it does not, and then silently
     * sends no client certificate), and no lookup reaches Bouncy Castle's JCA provider.
     *
     * @throws ClassCastException when {@code pem} is not a private key
     */
    public static PrivateKey privateKey(Object pem) throws IOException, GeneralSecurityException {
        PrivateKeyInfo info = pem instanceof PEMKeyPair pair ? pair.getPrivateKeyInfo() : (PrivateKeyInfo) pem;
        return java.security.KeyFactory.getInstance("EC").generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(info.getEncoded()));
    }

    /** A PKCS#12 key store holding this key and certificate under {@code alias}. */
    public KeyStore keyStore(String alias, char[] password) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(alias, privateKey, password, new java.security.cert.Certificate[]{certificate});
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a key store: " + e.getMessage(), e);
        }
    }

    public static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static Object parse(String pem) throws IOException {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object object = parser.readObject();
            if (object == null) {
                throw new IOException("no PEM object found");
            }
            return object;
        }
    }
}
