package org.openspheron.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.e2e.E2eSystem.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openspheron.chain.Lease;
import org.openspheron.chain.LeaseState;
import org.openspheron.chain.OrderState;
import org.openspheron.chain.ProtocolEvent;
import org.openspheron.chain.ProtocolReader;
import org.openspheron.chain.TenantClient;
import org.openspheron.devnet.DevCluster;
import org.openspheron.devnet.LocalProvider;

/**
 * What goes wrong, end to end: a matchmaker dies mid-flow, no provider can serve an order, a provider takes a lease
 * and never deploys; a matchmaker's operator changes its policy on Kubernetes; the operators put their quorum behind
 * TLS. One system for all five; each case
 * leaves it as it found it (all apps running, no lease open).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailurePathsIT {
    static E2eSystem system;

    @BeforeAll
    static void start() {
        system = E2eSystem.start("failure-paths", 21000, local -> { });
    }

    @AfterAll
    static void stop() {
        if (system != null) {
            system.close();
        }
    }

    private static ProtocolReader chain() {
        return system.local.reader();
    }

    private static String tenant() {
        return system.local.tenantKey().getAddress();
    }

    @Test
    @Order(1)
    void killedMatchmakerLeavesTheOtherTwoToMatchTheOrderExactlyOnce() throws Exception {
        long ordersBefore = chain().orderCount();
        CompletableFuture<Cli.Result> deploy = CompletableFuture.supplyAsync(() -> system.cli.run(Duration.ofMinutes(4),
                "deploy", E2eSystem.ROOT.resolve("examples/jupyter-rtx4090.yaml").toString(), "--json", "--poll-interval", "500ms"));
        await(Duration.ofSeconds(90), "the order is on chain", () -> chain().orderCount() > ordersBefore);
        system.matchmakers.get(0).kill();
        assertThat(system.matchmakers.get(0).isAlive()).isFalse();

        JsonNode deployed = deploy.get().ok().json();
        long orderId = deployed.get("orderId").asLong();
        long leaseId = deployed.get("leaseId").asLong();
        assertThat(chain().requireOrder(orderId).state()).isEqualTo(OrderState.MATCHED);
        assertThat(deployed.get("status").get("phase").asText()).isEqualTo("Running");

        // The killed operator comes back: it must not match the order again (the chain would refuse, and it must not try).
        system.matchmakers.set(0, system.local.startMatchmaker(0));
        Thread.sleep(5_000);
        List<ProtocolEvent.LeaseCreated> leases = chain().events(0, chain().blockNumber()).stream()
                .filter(ProtocolEvent.LeaseCreated.class::isInstance).map(ProtocolEvent.LeaseCreated.class::cast)
                .filter(e -> e.orderId() == orderId).toList();
        assertThat(leases).extracting(ProtocolEvent.LeaseCreated::leaseId).containsExactly(leaseId);

        system.cli.run("close", Long.toString(leaseId), "--json").ok();
        assertThat(chain().requireLease(leaseId).state()).isEqualTo(LeaseState.CLOSED);
    }

    @Test
    @Order(2)
    void orderNoProviderCanServeIsCancelledAndTheDepositRefunded() {
        BigInteger before = chain().tokenBalance(tenant());
        // The only H100 is in eu-west: nobody bids for one in us-east.
        Cli.Result deploy = system.cli.run(Duration.ofMinutes(2), "deploy",
                E2eSystem.ROOT.resolve("examples/vllm-h100-eu-west.yaml").toString(), "--region", "us-east",
                "--poll-interval", "500ms");
        assertThat(deploy.exitCode()).isNotZero();
        Matcher cancel = Pattern.compile("spheron cancel (\\d+)").matcher(deploy.stderr());
        assertThat(cancel.find()).as("the error names the cancel command: %s", deploy.stderr()).isTrue();
        long orderId = Long.parseLong(cancel.group(1));
        assertThat(deploy.stderr()).contains("without a bid");
        assertThat(chain().bids(orderId)).isEmpty();
        BigInteger deposit = chain().requireOrder(orderId).deposit();
        assertThat(chain().tokenBalance(tenant())).isEqualTo(before.subtract(deposit));

        JsonNode cancelled = system.cli.run("cancel", Long.toString(orderId), "--json").ok().json();
        assertThat(cancelled.get("orderId").asLong()).isEqualTo(orderId);
        assertThat(chain().requireOrder(orderId).state()).isEqualTo(OrderState.CANCELLED);
        assertThat(chain().tokenBalance(tenant())).isEqualTo(before);
    }

    @Test
    @Order(3)
    void providerThatNeverDeploysIsReportedSlashedAndTheTenantRefunded() {
        LocalProvider west = system.provider(1);
        var providerBefore = chain().provider(west.key().getAddress()).orElseThrow();
        BigInteger tenantBefore = chain().tokenBalance(tenant());
        long ordersBefore = chain().orderCount();
        CompletableFuture<Cli.Result> deploy = CompletableFuture.supplyAsync(() -> system.cli.run(Duration.ofMinutes(3),
                "deploy", E2eSystem.ROOT.resolve("examples/vllm-h100-eu-west.yaml").toString(), "--json",
                "--poll-interval", "500ms", "--deploy-timeout", "15s"));
        await(Duration.ofSeconds(90), "the order is on chain", () -> chain().orderCount() > ordersBefore);
        long orderId = chain().orderCount();
        await(Duration.ofSeconds(60), "provider 1 bids on order " + orderId, () -> !chain().bids(orderId).isEmpty());
        // The provider goes away after bidding: the matchmakers still give it the lease, and nobody deploys it.
        system.operators[1].kill();

        Cli.Result result = deploy.join();
        assertThat(result.exitCode()).as("deploy cannot reach the provider: %s", result.stderr()).isNotZero();
        long leaseId = chain().requireOrder(orderId).leaseId();
        Lease lease = chain().requireLease(leaseId);
        assertThat(lease.provider()).isEqualToIgnoringCase(west.key().getAddress());
        assertThat(lease.isConfirmed()).isFalse();

        system.local.chain().increaseTime(Duration.ofSeconds(system.local.protocolConfig().confirmWindowSeconds() + 60));
        // The CLI has no report command yet: the tenant's own client reports it.
        new TenantClient(system.local.connection(), system.local.tenantKey()).reportUndeployed(leaseId);
        Lease failed = chain().requireLease(leaseId);
        assertThat(failed.state()).isEqualTo(LeaseState.FAILED);
        var providerAfter = chain().provider(west.key().getAddress()).orElseThrow();
        assertThat(providerAfter.slashCount()).isEqualTo(providerBefore.slashCount() + 1);
        assertThat(providerAfter.totalSlashed().subtract(providerBefore.totalSlashed()))
                .isEqualTo(system.local.protocolConfig().missedDeploymentSlash());
        assertThat(providerAfter.stake()).isLessThan(providerBefore.stake());
        // The whole deposit comes back: the provider never confirmed, so nothing accrued.
        assertThat(chain().tokenBalance(tenant())).isEqualTo(tenantBefore);

        system.operators[1] = system.local.startProvider(west);
    }

    /**
     * The matchmaker's Kubernetes half, through the build that runs (its native executable in CI): restarted with the
     * MatchingPolicy watch on, against a real API server (provider 0's) with the CRD from crds/ and the ServiceAccount
     * and Role from k8s/matchmaker/, it ranks with the policy put there, writes its status under that account with
     * nothing refused, and ranks with its properties again once the policy is deleted. The fabric8 client, its TLS to
     * the API server and the MatchingPolicy types' JSON all run in the app's own process.
     */
    @Test
    @Order(4)
    void matchmakerFollowsAMatchingPolicyOnARealApiServer() throws Exception {
        DevCluster cluster = system.provider(0).cluster();
        String namespace = "spheron-matchmaker";
        cluster.applyFile(E2eSystem.ROOT.resolve("crds/matchingpolicies.openspheron.org-v1.yml"));
        for (String file : List.of("00-namespace.yaml", "10-serviceaccount.yaml", "20-rbac.yaml")) {
            cluster.applyFile(E2eSystem.ROOT.resolve("k8s/matchmaker").resolve(file));
        }
        String token = cluster.serviceAccountToken(namespace, "spheron-matchmaker");
        int index = 2;
        String defaults = policyOf(index).get("fingerprint").asText();
        system.matchmakers.get(index).stop();
        try {
            system.matchmakers.set(index, system.local.startMatchmaker(index, Map.of(
                    "spheron.matchmaker.policy.kubernetes.enabled", "true",
                    "spheron.matchmaker.policy.kubernetes.name", "e2e",
                    "quarkus.kubernetes-client.api-server-url", cluster.url(),
                    "quarkus.kubernetes-client.ca-cert-data", cluster.caCertData(),
                    "quarkus.kubernetes-client.namespace", namespace,
                    "quarkus.kubernetes-client.token", token)));
            Path file = system.local.home().resolve("matching-policy.yaml");
            Files.writeString(file, """
                    apiVersion: openspheron.org/v1alpha1
                    kind: MatchingPolicy
                    metadata: {name: e2e, namespace: spheron-matchmaker}
                    spec: {requireAvailableGpus: false, drawSize: 3}
                    """);
            cluster.runKubectl("apply", "-f", file.toString()).ok();
            await(Duration.ofSeconds(60), "matchmaker-2 ranks with the MatchingPolicy",
                    () -> !policyOf(index).get("fingerprint").asText().equals(defaults));
            JsonNode policy = policyOf(index);
            assertThat(policy.get("source").asText()).contains("MatchingPolicy " + namespace + "/e2e");
            assertThat(policy.get("requireAvailableGpus").asBoolean()).isFalse();
            assertThat(policy.get("drawSize").asInt()).isEqualTo(3);
            String fingerprint = policy.get("fingerprint").asText();
            await(Duration.ofSeconds(60), "the app writes the policy's status", () -> fingerprint.equals(cluster.runKubectl(
                    "-n", namespace, "get", "matchingpolicy", "e2e", "-o", "jsonpath={.status.fingerprint}").ok().output().trim()));
            String user = "system:serviceaccount:" + namespace + ":spheron-matchmaker";
            // The audit log gets a request about a second after it completed.
            await(Duration.ofSeconds(30), "the status update is in the API server's audit log",
                    () -> cluster.requestsBy(user).stream()
                            .anyMatch(r -> r.verb().equals("update") && r.rbacResource().equals("matchingpolicies/status")));
            assertThat(cluster.requestsBy(user)).noneMatch(r -> r.code() == 401 || r.code() == 403);

            cluster.runKubectl("-n", namespace, "delete", "matchingpolicy", "e2e").ok();
            await(Duration.ofSeconds(60), "matchmaker-2 ranks with its properties again",
                    () -> policyOf(index).get("fingerprint").asText().equals(defaults));
        } finally {
            system.matchmakers.get(index).stop();
            system.matchmakers.set(index, system.local.startMatchmaker(index));
        }
    }

    /**
     * The quorum over HTTPS: matchmaker-0 is stopped, and matchmakers 1 and 2 are started with an HTTPS listener of
     * their own certificate (Quarkus' TLS registry, PEM files) and each other's https:// URL as their only peer,
     * trusting the other's certificate through the JDK's {@code javax.net.ssl.trustStore}. With a threshold of two,
     * an order is matched only if their signatures crossed over TLS: the server side (Vert.x) and the client side
     * (the JDK's HTTP client) of the native matchmaker, which the plain-HTTP local run never reaches.
     */
    @Test
    @Order(5)
    void matchmakersReachAQuorumOverTls() throws Exception {
        Path dir = system.local.home().resolve("peer-tls");
        PeerTls[] tls = {null, PeerTls.create(dir, "matchmaker-1"), PeerTls.create(dir, "matchmaker-2")};
        // Beside the matchmakers' HTTP ports (8180 + i), away from the providers' (8280 + i, 8443 + i).
        int[] httpsPorts = {0, system.local.matchmakerPort(1) + 50, system.local.matchmakerPort(2) + 50};
        system.matchmakers.get(0).stop();
        system.matchmakers.get(1).stop();
        system.matchmakers.get(2).stop();
        try {
            for (int index = 1; index <= 2; index++) {
                int peer = 3 - index;
                system.matchmakers.set(index, system.local.startMatchmaker(index, Map.of(
                        "quarkus.http.ssl-port", Integer.toString(httpsPorts[index]),
                        "quarkus.tls.key-store.pem.0.cert", tls[index].certificate().toString(),
                        "quarkus.tls.key-store.pem.0.key", tls[index].key().toString(),
                        "spheron.matchmaker.peers", "https://127.0.0.1:" + httpsPorts[peer],
                        "javax.net.ssl.trustStore", tls[peer].trustStore().toString(),
                        "javax.net.ssl.trustStorePassword", tls[peer].trustStorePassword(),
                        "javax.net.ssl.trustStoreType", "PKCS12")));
            }
            JsonNode deployed = system.cli.run(Duration.ofMinutes(4), "deploy",
                    E2eSystem.ROOT.resolve("examples/jupyter-rtx4090.yaml").toString(), "--json", "--poll-interval", "500ms")
                    .ok().json();
            long orderId = deployed.get("orderId").asLong();
            long leaseId = deployed.get("leaseId").asLong();
            assertThat(chain().requireOrder(orderId).state()).isEqualTo(OrderState.MATCHED);
            system.cli.run("close", Long.toString(leaseId), "--json").ok();
        } finally {
            // The next cases need all three back on plain HTTP; stop() of a stopped app does nothing.
            for (int index = 0; index < 3; index++) {
                system.matchmakers.get(index).stop();
            }
            for (int index = 0; index < 3; index++) {
                system.matchmakers.set(index, system.local.startMatchmaker(index));
            }
        }
    }

    private static JsonNode policyOf(int matchmaker) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(system.local.matchmakerUrl(matchmaker) + "/policy")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("GET /policy: %s", response.body()).isEqualTo(200);
            return new ObjectMapper().readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("GET /policy of matchmaker-" + matchmaker, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
