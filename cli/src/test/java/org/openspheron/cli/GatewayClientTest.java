package org.openspheron.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.Lease;
import org.openspheron.chain.LeaseState;
import org.openspheron.chain.identity.ClientIdentity;
import org.openspheron.manifest.ManifestParser;

/** The gateway client over real mutual TLS, against the test gateway with a fixed registry instead of a chain. */
class GatewayClientTest {
    static final String TENANT = "0x00000000000000000000000000000000000000aa";
    static final String STRANGER = "0x00000000000000000000000000000000000000bb";

    private final ClientIdentity tenant = ClientIdentity.create(TENANT, List.of(), Duration.ofDays(1));
    private final ClientIdentity stranger = ClientIdentity.create(STRANGER, List.of(), Duration.ofDays(1));
    private final byte[] manifest = ManifestParserFixture.WEB.getBytes();
    private TestGateway gateway;

    @BeforeEach
    void start() throws Exception {
        Map<String, String> registry = Map.of(tenant.fingerprint(), TENANT, stranger.fingerprint(), STRANGER);
        String hash = ManifestParser.parse(manifest).canonicalHash();
        gateway = new TestGateway(new TestGateway.Chain() {
            @Override
            public Optional<String> certificateOwner(String fingerprint) {
                return Optional.ofNullable(registry.get(fingerprint));
            }

            @Override
            public Optional<Lease> lease(long leaseId) {
                return leaseId != 7 ? Optional.empty() : Optional.of(new Lease(7, 3, TENANT, "0x00000000000000000000000000000000000000cc",
                        BigInteger.ONE, LeaseState.ACTIVE, 0, 0, 0, 0, BigInteger.TEN, BigInteger.ZERO));
            }

            @Override
            public String manifestHashOfOrder(long orderId) {
                return hash;
            }
        }, "0x00000000000000000000000000000000000000cc");
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    @Test
    void theTenantsCertificateSendsTheManifestBytesAndReadsTheStatus() {
        GatewayClient client = new GatewayClient(gateway.url(), tenant, Duration.ofSeconds(10));
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
        GatewayClient client = new GatewayClient(gateway.url(), ClientIdentity.readPem(home, "client"), Duration.ofSeconds(10));
        assertThat(client.putManifest(7, manifest).get("leaseId").asLong()).isEqualTo(7);
        assertThat(gateway.clientFingerprints).containsOnly(tenant.fingerprint());
    }

    @Test
    void anotherAccountsCertificateIsRefusedWithTheGatewaysReason() {
        GatewayClient client = new GatewayClient(gateway.url(), stranger, Duration.ofSeconds(10));
        assertThatThrownBy(() -> client.putManifest(7, manifest))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.status()).isEqualTo(403);
                    assertThat(e.code()).isEqualTo("NotTenant");
                })
                .hasMessage("the gateway at " + gateway.url() + " answered 403 NotTenant: the certificate's account is not lease 7's tenant");
        assertThat(gateway.manifests).isEmpty();
    }

    @Test
    void unknownLeasesAndWrongManifestsCarryTheGatewaysCodes() {
        GatewayClient client = new GatewayClient(gateway.url(), tenant, Duration.ofSeconds(10));
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
        GatewayClient client = new GatewayClient("https://127.0.0.1:" + port, tenant, Duration.ofSeconds(5));
        assertThatThrownBy(() -> client.status(7))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.unreachable()).isTrue())
                .hasMessageStartingWith("cannot reach the provider's gateway at https://127.0.0.1:" + port);
    }

    @Test
    void plainHttpGatewaysAreRefused() {
        assertThatThrownBy(() -> new GatewayClient("http://127.0.0.1:8443", tenant, Duration.ofSeconds(5)))
                .hasMessageContaining("is not https");
    }
}
