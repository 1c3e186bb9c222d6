package org.openspheron.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.chain.ProtocolFixture.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openspheron.chain.GpuOffer;
import org.openspheron.chain.Lease;
import org.openspheron.chain.LeaseState;
import org.openspheron.chain.OrderState;
import org.openspheron.chain.ProtocolFixture;
import org.openspheron.chain.ProviderClient;
import org.openspheron.chain.identity.ClientIdentity;
import org.openspheron.manifest.ManifestParser;
import org.web3j.utils.Numeric;

/**
 * The user's whole path through the CLI against a real anvil chain with the protocol deployed, and a provider
 * gateway over real mutual TLS ({@link TestGateway}). A {@link Market} thread bids and matches like the provider and
 * the matchmakers would.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TenantFlowTest {
    private static ProtocolFixture protocol;
    private static TestGateway gateway;
    private static ProviderClient provider;
    private static Path home;
    private static Path addresses;
    private static String tenant;
    private static long leaseId;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startProtocolAndGateway() throws Exception {
        protocol = ProtocolFixture.start();
        home = dir.resolve("home");
        addresses = dir.resolve("addresses.properties");
        protocol.addresses().write(addresses);
        tenant = protocol.tenantKey(0).getAddress();
        Path key = dir.resolve("tenant.key");
        Files.writeString(key, Numeric.toHexStringWithPrefixZeroPadded(protocol.tenantKey(0).getEcKeyPair().getPrivateKey(), 64));
        Cli.Result imported = Cli.run("keys", "import", key.toString(), "--home", home.toString());
        assertThat(imported.exitCode()).as(imported.err()).isZero();

        provider = protocol.provider(0);
        gateway = new TestGateway(protocol.reader(), provider.address());
        provider.publishGatewayCertificate(gateway.serverFingerprint());
        provider.register("us-east", "us-east-1a", gateway.url(), List.of(new GpuOffer("rtx4090", 2, 2)), protocol.config().minStake());
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (protocol != null) {
            protocol.close();
        }
    }

    static Cli.Result spheron(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--home", home.toString(), "--rpc-url", protocol.chain().rpcUrl(), "--addresses-file", addresses.toString()));
        return Cli.run(all.toArray(String[]::new));
    }

    @Test
    @Order(1)
    void theImportedKeyGetsACertificateThatPublishingBindsToTheAccountOnChain() {
        String fingerprint = ClientIdentity.readPem(home, "client").fingerprint();
        // Issue 12, attack 13, "certificate squatting": another account publishing it first changes nothing.
        protocol.tenant(1).publishCertificate(fingerprint);

        Cli.Result first = spheron("cert", "publish");
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out()).contains("published certificate " + fingerprint);
        assertThat(protocol.reader().certificateValid(tenant, fingerprint)).isTrue();

        Cli.Result again = spheron("cert", "publish");
        assertThat(again.out()).contains("is already published");

        Cli.Result account = spheron("account");
        assertThat(account.exitCode()).isZero();
        assertThat(account.out()).containsIgnoringCase("address      " + tenant)
                .contains("balance      1000000 sUSD")
                .contains(fingerprint + " (published)");
        assertThat(home.resolve("account.key")).satisfies(p ->
                assertThat(Files.getPosixFilePermissions(p)).containsExactlyInAnyOrder(
                        java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE));
    }

    @Test
    @Order(2)
    void deploySendsTheExactManifestWithTheTenantCertificateAndPrintsTheUrls() throws Exception {
        Path manifest = Cli.manifest("jupyter-rtx4090.yaml");
        byte[] bytes = Files.readAllBytes(manifest);
        String fingerprint = ClientIdentity.readPem(home, "client").fingerprint();
        BigInteger before = protocol.reader().tokenBalance(tenant);
        Cli.Result r;
        try (Market market = new Market(protocol, provider, tokens(1).divide(BigInteger.TWO), Set.of())) {
            r = spheron("deploy", manifest.toString(), "--poll-interval", "200ms", "--deploy-timeout", "2min", "--match-timeout", "2min");
            assertThat(market.failure).isNull();
        }
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        leaseId = protocol.reader().tenantLeasesOf(tenant).get(0);
        assertThat(r.out())
                .contains("order        1x rtx4090, 8.0 CPU, 16384 MiB memory, 204800 MiB storage, at most 1 sUSD/h for 2h, deposit 2 sUSD")
                .contains("bids         1 (lowest 0.5 sUSD/h)")
                .contains("(server certificate " + gateway.serverFingerprint() + ")")
                .contains("deployment   Deploying (pulling images)")
                .contains("phase        Running (all 1 replicas ready)")
                .contains("py-cuda      1/1 ready  http://203.0.113.7:31234")
                .contains("203.0.113.7:31234 -> 8888/TCP");
        assertThat(r.out()).contains("matched      lease " + leaseId).contains("deployed: lease " + leaseId + " at 0.5 sUSD/h");

        assertThat(gateway.manifests.get(leaseId)).isEqualTo(bytes);
        assertThat(gateway.clientFingerprints).isNotEmpty().allMatch(fingerprint::equals);
        Lease lease = protocol.reader().requireLease(leaseId);
        assertThat(lease.tenant()).isEqualToIgnoringCase(tenant);
        assertThat(protocol.reader().requireOrder(lease.orderId()).spec().manifestHash())
                .isEqualTo(ManifestParser.parse(bytes).canonicalHash());
        assertThat(before.subtract(protocol.reader().tokenBalance(tenant))).isEqualTo(tokens(2));
    }

    @Test
    @Order(3)
    void statusLogsTopUpAndTheListsShowTheLease() throws Exception {
        Cli.Result status = spheron("status", Long.toString(leaseId));
        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out()).contains("state        ACTIVE").contains("price        0.5 sUSD/h")
                .contains("phase        Running").contains("203.0.113.7:31234 -> 8888/TCP");

        JsonNode statusJson = Output.JSON.readTree(spheron("status", Long.toString(leaseId), "--json").out());
        assertThat(statusJson.get("state").asText()).isEqualTo("ACTIVE");
        assertThat(statusJson.get("deployment").get("phase").asText()).isEqualTo("Running");
        assertThat(statusJson.get("deployment").get("forwarded_ports").get("py-cuda").get(0).get("externalPort").asInt()).isEqualTo(31234);

        Cli.Result logs = spheron("logs", Long.toString(leaseId), "--service", "py-cuda");
        assertThat(logs.exitCode()).isZero();
        assertThat(logs.out()).isEqualTo("[web-7d9f] listening on 8888\n[web-7d9f] ready\n");

        Cli.Result topUp = spheron("top-up", Long.toString(leaseId), "12.5");
        assertThat(topUp.exitCode()).as(topUp.err()).isZero();
        assertThat(topUp.out()).contains("with 12.5 sUSD; escrow now 14.5 sUSD");
        assertThat(protocol.reader().requireLease(leaseId).balance()).isEqualTo(BigInteger.valueOf(14_500_000));

        JsonNode leases = Output.JSON.readTree(spheron("leases", "--json").out());
        assertThat(leases).hasSize(1);
        assertThat(leases.get(0).get("leaseId").asLong()).isEqualTo(leaseId);
        assertThat(leases.get(0).get("state").asText()).isEqualTo("ACTIVE");

        JsonNode orders = Output.JSON.readTree(spheron("orders", "--json").out());
        assertThat(orders).hasSize(1);
        assertThat(orders.get(0).get("state").asText()).isEqualTo("MATCHED");
        assertThat(orders.get(0).get("leaseId").asLong()).isEqualTo(leaseId);

        Cli.Result badAmount = spheron("top-up", Long.toString(leaseId), "1.0000001");
        assertThat(badAmount.exitCode()).isEqualTo(1);
        assertThat(badAmount.err()).isEqualTo("error: 1.0000001 has more than 6 decimals\n");
    }

    @Test
    @Order(4)
    void closeEndsTheLeaseOnChainRefundsAndAsksTheGatewayToTearDown() {
        Cli.Result close = spheron("close", Long.toString(leaseId));
        assertThat(close.exitCode()).as(close.err()).isZero();
        assertThat(close.out()).containsPattern("closed       lease " + leaseId + ": [0-9.]+ sUSD to the provider, [0-9.]+ sUSD refunded")
                .contains("teardown     requested");
        assertThat(protocol.reader().requireLease(leaseId).state()).isEqualTo(LeaseState.CLOSED);
        assertThat(gateway.deleted).containsExactly(leaseId);
    }

    @Test
    @Order(5)
    void anUnmatchedDeployTimesOutLeavingTheOrderWhichCancelRefunds() {
        BigInteger before = protocol.reader().tokenBalance(tenant);
        Cli.Result r = spheron("deploy", Cli.manifest("whoogle-sdl.yaml").toString(), "--max-price", "0.75", "--duration", "1h",
                "--deposit", "3", "--poll-interval", "200ms", "--match-timeout", "1s");
        assertThat(r.exitCode()).isEqualTo(3);
        List<Long> open = protocol.reader().openOrderIds();
        assertThat(open).hasSize(1);
        long orderId = open.get(0);
        assertThat(r.err()).contains("error: no match within 1s: order " + orderId + " stays on chain; resume with `spheron deploy ")
                .contains("`spheron cancel " + orderId + "`");
        assertThat(before.subtract(protocol.reader().tokenBalance(tenant))).isEqualTo(tokens(3));

        Cli.Result cancel = spheron("cancel", Long.toString(orderId));
        assertThat(cancel.exitCode()).as(cancel.err()).isZero();
        assertThat(cancel.out()).contains("cancelled    order " + orderId + "; 3 sUSD refunded");
        assertThat(protocol.reader().requireOrder(orderId).state()).isEqualTo(OrderState.CANCELLED);
        assertThat(protocol.reader().tokenBalance(tenant)).isEqualTo(before);

        Cli.Result again = spheron("cancel", Long.toString(orderId));
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).isEqualTo("error: order " + orderId + " is CANCELLED\n");
    }

    @Test
    @Order(6)
    void anSdlManifestInUaktWithoutAnAktPriceOrAnInvalidManifestFailsBeforeAnyTransaction() {
        long orders = protocol.reader().orderCount();
        Cli.Result noPrice = spheron("deploy", Cli.manifest("whoogle-sdl-uakt.yaml").toString(), "--duration", "1h");
        assertThat(noPrice.exitCode()).isEqualTo(1);
        assertThat(noPrice.err()).contains("error: the manifest prices in uakt").contains("pass --akt-price")
                .contains("or --max-price");

        Cli.Result invalid = spheron("deploy", Cli.manifest("bad-port.yaml").toString());
        assertThat(invalid.exitCode()).isEqualTo(1);
        assertThat(invalid.err()).isEqualTo("error: services.web.expose[0].port: 70000 is not a port\n");
        assertThat(protocol.reader().orderCount()).isEqualTo(orders);
    }

    @Test
    @Order(7)
    void deployWithJsonPrintsOneDocumentOnStdoutAndTheProgressOnStderr() throws Exception {
        Cli.Result r;
        try (Market market = new Market(protocol, provider, tokens(1), Set.copyOf(protocol.reader().openOrderIds()))) {
            r = spheron("deploy", Cli.manifest("whoogle-sdl.yaml").toString(), "--json", "--max-price", "2", "--duration", "30min",
                    "--poll-interval", "200ms", "--deploy-timeout", "2min", "--match-timeout", "2min");
        }
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        JsonNode result = Output.JSON.readTree(r.out());
        long lease = result.get("leaseId").asLong();
        assertThat(protocol.reader().requireLease(lease).tenant()).isEqualToIgnoringCase(tenant);
        assertThat(result.get("serverCertificateFingerprint").asText()).isEqualTo(gateway.serverFingerprint());
        assertThat(result.get("pricePerHour").asText()).isEqualTo("1");
        assertThat(result.get("status").get("phase").asText()).isEqualTo("Running");
        assertThat(result.get("manifestHash").asText())
                .isEqualTo(ManifestParser.parse(Files.readAllBytes(Cli.manifest("whoogle-sdl.yaml"))).canonicalHash());
        assertThat(r.err()).contains("matched      lease " + lease).contains("deployment   Running");
        assertThat(spheron("close", Long.toString(lease)).exitCode()).isZero();
    }

    @Test
    @Order(8)
    void anSdlPricedPerBlockDeploysWithoutMaxPriceAtItsConvertedPricePerHour() throws Exception {
        Cli.Result r;
        try (Market market = new Market(protocol, provider, tokens(1), Set.copyOf(protocol.reader().openOrderIds()))) {
            r = spheron("deploy", Cli.manifest("whoogle-sdl.yaml").toString(), "--duration", "30min",
                    "--poll-interval", "200ms", "--deploy-timeout", "2min", "--match-timeout", "2min");
            assertThat(market.failure).isNull();
        }
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        // 10000 uact per block × 3600 / 6.098 = 5903574.94 base units an hour
        assertThat(r.out()).contains("pricing      SDL whoogle in akash: 10000 uact/block × 590.3575 blocks/h (6.098 s/block)"
                        + " at 1 sUSD/ACT = 5.903574 sUSD/h")
                .contains("at most 5.903574 sUSD/h for 30min");
        java.util.regex.Matcher deployed = java.util.regex.Pattern.compile("deployed: lease ([0-9]+)").matcher(r.out());
        assertThat(deployed.find()).isTrue();
        long lease = Long.parseLong(deployed.group(1));
        assertThat(protocol.reader().requireOrder(protocol.reader().requireLease(lease).orderId()).spec().maxPricePerHour())
                .isEqualTo(BigInteger.valueOf(5_903_574));
        assertThat(spheron("close", Long.toString(lease)).exitCode()).isZero();
    }

    /** A refund settled by the provider's transaction waits in the contract (pull payments) until the tenant claims. */
    @Test
    @Order(9)
    void aRefundTheProviderSettledIsHeldUntilTheTenantClaimsIt() {
        long lease = protocol.lease(protocol.tenant(0), provider, ProtocolFixture.order(tokens(2), 3600), tokens(5), tokens(1));
        provider.closeLease(lease);
        BigInteger before = protocol.reader().tokenBalance(tenant);

        Cli.Result account = spheron("account");
        assertThat(account.out()).contains("claimable    5 sUSD (refunds held for you: `spheron claim`)");
        Cli.Result claim = spheron("claim");
        assertThat(claim.exitCode()).as(claim.err()).isZero();
        assertThat(claim.out()).containsIgnoringCase("claimed      5 sUSD to " + tenant);
        assertThat(protocol.reader().tokenBalance(tenant)).isEqualTo(before.add(tokens(5)));
        assertThat(spheron("claim").out()).startsWith("claimed      nothing");
        assertThat(spheron("claim", "--to", "nope").err()).isEqualTo("error: --to nope is not an address (0x and 40 hex digits)\n");
    }
}
