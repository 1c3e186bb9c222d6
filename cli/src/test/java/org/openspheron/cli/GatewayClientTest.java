package org.openspheron.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.Lease;
import org.openspheron.chain.LeaseState;
import org.openspheron.chain.identity.ClientIdentity;
import org.openspheron.chain.identity.ProviderCertificate;
import org.openspheron.manifest.ManifestParser;

/** The gateway client over real mutual TLS, against the test gateway with a fixed registry instead of a chain. */
class GatewayClientTest {
    static final String TENANT = "0x00000000000000000000000000000000000000aa";
    static final String STRANGER = "0x00000000000000000000000000000000000000bb";
    static final String PROVIDER = "0x00000000000000000000000000000000000000cc";

    private final ClientIdentity tenant = ClientIdentity.create(TENANT, List.of(), Duration.ofDays(1));
    private final ClientIdentity stranger = ClientIdentity.create(STRANGER, List.of(), Duration.ofDays(1));
    private final byte[] manifest = ManifestParserFixture.WEB.getBytes();
    /** The registry's valid entries, as "account/fingerprint". */
    private final Set<String> registry = new HashSet<>();
    private TestGateway gateway;

    @BeforeEach
    void start() throws Exception {
        registry.add(TENANT + "/" + tenant.fingerprint());
        registry.add(STRANGER + "/" + stranger.fingerprint());
        String hash = ManifestParser.parse(manifest).canonicalHash();
        gateway = new TestGateway(new TestGateway.Chain() {
            @Override
            public boolean certificateValid(String account, String fingerprint) {
                return isValid(account, fingerprint);
            }

            @Override
            public Optional<Lease> lease(long leaseId) {
                return leaseId != 7 ? Optional.empty() : Optional.of(new Lease(7, 3, TENANT, PROVIDER,
                        BigInteger.ONE, LeaseState.ACTIVE, 0, 0, 0, 0, BigInteger.TEN, BigInteger.ZERO));
            }

            @Override
            public String manifestHashOfOrder(long orderId) {
                return hash;
            }
        }, PROVIDER);
        registry.add(PROVIDER + "/" + gateway.serverFingerprint());
    }

    private boolean isValid(String account, String fingerprint) {
        return registry.contains(account.toLowerCase() + "/" + fingerprint);
    }

    /** A client that accepts the gateway only with a certificate {@link #PROVIDER} published. */
    private GatewayClient client(String url, ClientIdentity identity, Duration timeout) {
        return new GatewayClient(url, identity, timeout, ProviderCertificate.pinnedTo(this::isValid, PROVIDER));
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    @Test
    void theTenantsCertificateSendsTheManifestBytesAndReadsTheStatus() {
        GatewayClient client = client(gateway.url(), tenant, Duration.ofSeconds(10));
        JsonNode accepted = client.putManifest(7, manifest);
        assertThat(accepted.get("services").get(0).asText()).isEqualTo("web");
        assertThat(gateway.manifests.get(7L)).isEqualTo(manifest);
        assertThat(gateway.clientFingerprints).containsOnly(tenant.fingerprint());
        assertThat(client.serverFingerprint()).isEqualTo(gateway.serverFingerprint());
        assertThat(client.status(7).get("phase").asText()).isEqualTo("Deploying");
        assertThat(client.status(7).get("phase").asText()).isEqualTo("Running");
    }

    @Test
    void anIdentityReadBackFromItsPemFilesWorksTheSame(@org.junit.jupiter.api.io.TempDir java.nio.file.Path home) {
        tenant.writePem(home, "client");
        GatewayClient client = client(gateway.url(), ClientIdentity.readPem(home, "client"), Duration.ofSeconds(10));
        assertThat(client.putManifest(7, manifest).get("leaseId").asLong()).isEqualTo(7);
        assertThat(gateway.clientFingerprints).containsOnly(tenant.fingerprint());
    }

    @Test
    void anotherAccountsCertificateIsRefusedWithTheGatewaysReason() {
        GatewayClient client = client(gateway.url(), stranger, Duration.ofSeconds(10));
        assertThatThrownBy(() -> client.putManifest(7, manifest))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.status()).isEqualTo(403);
                    assertThat(e.code()).isEqualTo("NotTenant");
                })
                .hasMessage("the gateway at " + gateway.url() + " answered 403 NotTenant: the certificate is not published by lease 7's tenant");
        assertThat(gateway.manifests).isEmpty();
    }

    @Test
    void unknownLeasesAndWrongManifestsCarryTheGatewaysCodes() {
        GatewayClient client = client(gateway.url(), tenant, Duration.ofSeconds(10));
        assertThatThrownBy(() -> client.status(8))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo("UnknownLease"));
        byte[] other = ManifestParserFixture.WEB.replace("count: 2", "count: 3").getBytes();
        assertThatThrownBy(() -> client.putManifest(7, other))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo("ManifestHashMismatch"));
    }

    @Test
    void aGatewayThatIsNotThereIsReportedAsUnreachable() {
        int port = gateway.port();
        gateway.close();
        GatewayClient client = client("https://127.0.0.1:" + port, tenant, Duration.ofSeconds(5));
        assertThatThrownBy(() -> client.status(7))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.unreachable()).isTrue())
                .hasMessageStartingWith("cannot reach the provider's gateway at https://127.0.0.1:" + port);
    }

    @Test
    void aGatewayWhoseCertificateTheProviderDidNotPublishGetsNothing() {
        registry.remove(PROVIDER + "/" + gateway.serverFingerprint());
        GatewayClient client = client(gateway.url(), tenant, Duration.ofSeconds(10));
        assertThatThrownBy(() -> client.putManifest(7, manifest))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.code()).isEqualTo("ProviderCertificateNotPublished");
                    assertThat(e.unreachable()).as("a provider still starting publishes it soon: worth a retry").isTrue();
                })
                .hasMessageContaining("refusing the gateway at " + gateway.url())
                .hasMessageContaining(gateway.serverFingerprint() + " is not published on chain");
        // Refused in the handshake: the gateway saw neither the client's certificate nor a request.
        assertThat(gateway.clientFingerprints).isEmpty();
        assertThat(gateway.manifests).isEmpty();
    }

    @Test
    void aGatewayWhoseCertificateOnlyAnotherAccountPublishedGetsNothing() {
        registry.remove(PROVIDER + "/" + gateway.serverFingerprint());
        registry.add(STRANGER + "/" + gateway.serverFingerprint());
        GatewayClient client = client(gateway.url(), tenant, Duration.ofSeconds(10));
        assertThatThrownBy(() -> client.status(7))
                .isInstanceOfSatisfying(GatewayException.class,
                        e -> assertThat(e.code()).isEqualTo("ProviderCertificateNotPublished"))
                .hasMessageContaining(gateway.serverFingerprint() + " is not published on chain by the lease's provider "
                        + PROVIDER);
        assertThat(gateway.clientFingerprints).isEmpty();
    }

    @Test
    void plainHttpGatewaysAreRefused() {
        assertThatThrownBy(() -> client("http://127.0.0.1:8443", tenant, Duration.ofSeconds(5)))
                .hasMessageContaining("is not https");
    }
}
