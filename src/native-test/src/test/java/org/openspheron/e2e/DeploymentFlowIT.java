package org.openspheron.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.e2e.E2eSystem.assertEventually;
import static org.openspheron.e2e.E2eSystem.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
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
import org.openspheron.devnet.LocalProvider;

/**
 * The whole protocol through the user's CLI against the packaged apps: an ICL manifest becomes an order, providers
 * bid, the matchmakers' quorum creates the lease, the manifest goes over mutual TLS to the winner's gateway, the
 * operator turns it into a GPUDeployment and pods, confirms on chain, withdraws its pay, survives a restart, and the
 * close refunds the rest. The steps build on each other, so they run in order on one system.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeploymentFlowIT {
    static final ResourceDefinitionContext SPHERON_LEASES = new ResourceDefinitionContext.Builder()
            .withGroup("openspheron.org").withVersion("v1alpha1").withKind("SpheronLease").withPlural("spheronleases")
            .withNamespaced(false).build();
    static final ResourceDefinitionContext GPU_DEPLOYMENTS = new ResourceDefinitionContext.Builder()
            .withGroup("openspheron.org").withVersion("v1alpha1").withKind("GPUDeployment").withPlural("gpudeployments")
            .withNamespaced(true).build();

    static E2eSystem system;
    static JsonNode deployed;
    static long leaseId;

    @BeforeAll
    static void start() {
        system = E2eSystem.start("deployment-flow", 20000, local -> { });
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

    private static LocalProvider us() {
        return system.provider(0);
    }

    private static KubernetesClient cluster() {
        return us().cluster().client();
    }

    @Test
    @Order(1)
    void providersRegisterThemselvesWithTheirRegionGpusAndStake() {
        var east = chain().provider(system.provider(0).key().getAddress()).orElseThrow();
        var west = chain().provider(system.provider(1).key().getAddress()).orElseThrow();
        assertThat(east.region()).isEqualTo("us-east");
        assertThat(west.region()).isEqualTo("eu-west");
        assertThat(east.gatewayUrl()).isEqualTo(system.provider(0).gatewayUrl());
        assertThat(east.stake()).isGreaterThan(west.stake());
        assertThat(east.availableGpus("RTX4090")).isEqualTo(2);
        assertThat(east.availableGpus("A100")).isEqualTo(4);
        assertThat(west.availableGpus("H100")).isEqualTo(1);
    }

    @Test
    @Order(2)
    void deployOrdersMatchesAndRunsTheManifestThenPrintsItsPorts() {
        BigInteger tenantBefore = chain().tokenBalance(system.local.tenantKey().getAddress());
        Cli.Result result = system.cli.run(Duration.ofMinutes(4), "deploy",
                E2eSystem.ROOT.resolve("examples/jupyter-rtx4090.yaml").toString(), "--json", "--poll-interval", "500ms").ok();
        deployed = result.json();
        leaseId = deployed.get("leaseId").asLong();
        long orderId = deployed.get("orderId").asLong();

        // On chain: the order was bid on, matched once, and its lease went to the only provider with RTX 4090s.
        var order = chain().requireOrder(orderId);
        assertThat(order.state()).isEqualTo(OrderState.MATCHED);
        assertThat(order.leaseId()).isEqualTo(leaseId);
        assertThat(chain().bids(orderId)).extracting(b -> b.provider().toLowerCase())
                .containsExactly(us().key().getAddress().toLowerCase());
        Lease lease = chain().requireLease(leaseId);
        assertThat(lease.state()).isEqualTo(LeaseState.ACTIVE);
        assertThat(lease.provider()).isEqualToIgnoringCase(us().key().getAddress());
        assertThat(deployed.get("provider").asText()).isEqualToIgnoringCase(us().key().getAddress());
        assertThat(chain().tokenBalance(system.local.tenantKey().getAddress())).isLessThan(tenantBefore);
        List<ProtocolEvent.LeaseCreated> created = leaseEvents().stream()
                .filter(e -> e.orderId() == orderId).toList();
        assertThat(created).hasSize(1);

        // In the cluster: the lease object, its namespace, the GPUDeployment without secret values, the env Secret, pods.
        String namespace = "lease-" + leaseId;
        assertThat(cluster().genericKubernetesResources(SPHERON_LEASES).withName("lease-" + leaseId).get()).isNotNull();
        assertThat(cluster().namespaces().withName(namespace).get()).isNotNull();
        GenericKubernetesResource deployment = cluster().genericKubernetesResources(GPU_DEPLOYMENTS).inNamespace(namespace)
                .withName("lease-" + leaseId).get();
        assertThat(deployment).isNotNull();
        assertThat(io.fabric8.kubernetes.client.utils.Serialization.asJson(deployment.getAdditionalProperties().get("spec")))
                .contains("py-cuda").doesNotContain("JUPYTER_TOKEN=test").doesNotContain("\"test\"");
        Secret env = cluster().secrets().inNamespace(namespace).withName("py-cuda-env").get();
        assertThat(env).isNotNull();
        Map<String, String> values = env.getData() != null ? env.getData().entrySet().stream().collect(Collectors.toMap(
                Map.Entry::getKey, e -> new String(Base64.getDecoder().decode(e.getValue()), StandardCharsets.UTF_8)))
                : env.getStringData();
        assertThat(values).containsEntry("JUPYTER_TOKEN", "test");
        List<Pod> pods = cluster().pods().inNamespace(namespace).list().getItems();
        assertThat(pods).isNotEmpty().allSatisfy(p -> assertThat(p.getStatus().getPhase()).isEqualTo("Running"));
        // The other provider saw nothing of it.
        assertThat(system.provider(1).cluster().client().namespaces().withName(namespace).get()).isNull();

        // What the CLI printed: phase Running and the node port the service is reachable on.
        JsonNode status = deployed.get("status");
        assertThat(status.get("phase").asText()).isEqualTo("Running");
        JsonNode port = status.get("forwarded_ports").get("py-cuda").get(0);
        assertThat(port.get("port").asInt()).isEqualTo(8888);
        assertThat(port.get("externalPort").asInt()).isBetween(30000, 32767);
        assertThat(port.get("host").asText()).isEqualTo("127.0.0.1");
        int nodePort = cluster().services().inNamespace(namespace).list().getItems().stream()
                .flatMap(s -> s.getSpec().getPorts().stream()).filter(p -> p.getNodePort() != null)
                .mapToInt(p -> p.getNodePort()).findFirst().orElseThrow();
        assertThat(port.get("externalPort").asInt()).isEqualTo(nodePort);
    }

    @Test
    @Order(3)
    void providerConfirmsTheDeploymentAndWithdrawsItsPay() {
        await(Duration.ofSeconds(60), "lease " + leaseId + " confirmed on chain", () -> chain().requireLease(leaseId).isConfirmed());
        BigInteger providerBefore = chain().tokenBalance(us().key().getAddress());
        system.local.chain().increaseTime(Duration.ofMinutes(30));
        await(Duration.ofSeconds(60), "the provider withdraws what lease " + leaseId + " accrued",
                () -> chain().requireLease(leaseId).paid().signum() > 0);
        Lease lease = chain().requireLease(leaseId);
        // Half an hour at the lease price, give or take the seconds the test itself took.
        BigInteger halfHour = lease.pricePerHour().divide(BigInteger.TWO);
        assertThat(lease.paid()).isGreaterThanOrEqualTo(halfHour.multiply(BigInteger.valueOf(9)).divide(BigInteger.TEN));
        assertEventually(Duration.ofSeconds(30), () -> assertThat(chain().tokenBalance(us().key().getAddress()))
                .isGreaterThan(providerBefore));

        JsonNode status = system.cli.run("status", Long.toString(leaseId), "--json").ok().json();
        assertThat(status.get("state").asText()).isEqualTo("ACTIVE");
        assertThat(status.get("confirmedAt").asLong()).isPositive();
        assertThat(status.get("deployment").get("phase").asText()).isEqualTo("Running");
    }

    @Test
    @Order(4)
    void restartedOperatorKeepsTheRunningLeaseWithoutRecreatingOrReconfirmingIt() {
        String namespace = "lease-" + leaseId;
        String deploymentUid = cluster().genericKubernetesResources(GPU_DEPLOYMENTS).inNamespace(namespace)
                .withName("lease-" + leaseId).get().getMetadata().getUid();
        List<String> podUids = cluster().pods().inNamespace(namespace).list().getItems().stream()
                .map(p -> p.getMetadata().getUid()).sorted().toList();
        long confirmedAt = chain().requireLease(leaseId).confirmedAt();

        var restarted = system.restartOperator(0);
        // Let the restarted operator list, reconcile and run its chain duties a few times.
        JsonNode status = system.cli.run("status", Long.toString(leaseId), "--json").ok().json();
        assertThat(status.get("deployment").get("phase").asText()).isEqualTo("Running");
        sleep(Duration.ofSeconds(10));

        assertThat(cluster().genericKubernetesResources(GPU_DEPLOYMENTS).inNamespace(namespace).withName("lease-" + leaseId)
                .get().getMetadata().getUid()).isEqualTo(deploymentUid);
        assertThat(cluster().pods().inNamespace(namespace).list().getItems().stream().map(p -> p.getMetadata().getUid())
                .sorted().toList()).isEqualTo(podUids);
        GenericKubernetesResource object = cluster().genericKubernetesResources(SPHERON_LEASES).withName("lease-" + leaseId).get();
        assertThat(((Map<?, ?>) object.getAdditionalProperties().get("status")).get("phase")).isEqualTo("Running");
        assertThat(chain().requireLease(leaseId).confirmedAt()).isEqualTo(confirmedAt);
        long confirmations = system.log(restarted).lines()
                .filter(l -> l.contains("lease " + leaseId + " runs: deployment confirmed on chain")).count();
        assertThat(confirmations).as("confirmations logged by both runs of the operator").isEqualTo(1);
    }

    @Test
    @Order(5)
    void closeTearsTheDeploymentDownAndRefundsTheRest() {
        BigInteger tenantBefore = chain().tokenBalance(system.local.tenantKey().getAddress());
        JsonNode closed = system.cli.run("close", Long.toString(leaseId), "--json").ok().json();
        assertThat(closed.get("state").asText()).isEqualTo("CLOSED");
        Lease lease = chain().requireLease(leaseId);
        assertThat(lease.state()).isEqualTo(LeaseState.CLOSED);
        BigInteger refunded = new java.math.BigDecimal(closed.get("refunded").asText()).movePointRight(6).toBigIntegerExact();
        assertThat(refunded).isPositive();
        assertThat(chain().tokenBalance(system.local.tenantKey().getAddress())).isEqualTo(tenantBefore.add(refunded));
        ProtocolEvent.LeaseClosed event = chain().events(0, chain().blockNumber()).stream()
                .filter(ProtocolEvent.LeaseClosed.class::isInstance).map(ProtocolEvent.LeaseClosed.class::cast)
                .filter(e -> e.leaseId() == leaseId).findFirst().orElseThrow();
        assertThat(event.refunded()).isEqualTo(refunded);

        String namespace = "lease-" + leaseId;
        assertEventually(Duration.ofSeconds(60), () -> assertThat(cluster().pods().inNamespace(namespace).list().getItems())
                .as("pods of closed lease " + leaseId).isEmpty());
    }

    @Test
    @Order(6)
    void providerThatReservedItsOnlyH100ForTheBidStillWinsTheOrderInItsRegion() {
        // After bidding, provider 1 advertises its only H100 as taken; the match must still count its own bid.
        JsonNode h100 = system.cli.run(Duration.ofMinutes(4), "deploy",
                E2eSystem.ROOT.resolve("examples/vllm-h100-eu-west.yaml").toString(), "--json", "--poll-interval", "500ms")
                .ok().json();
        long lease = h100.get("leaseId").asLong();
        assertThat(chain().requireLease(lease).provider()).isEqualToIgnoringCase(system.provider(1).key().getAddress());
        assertThat(h100.get("status").get("forwarded_ports").get("vllmserver").get(0).get("port").asInt()).isEqualTo(8000);
        system.cli.run("close", Long.toString(lease), "--json").ok();
    }

    @Test
    @Order(7)
    void providerOperatorRbacCoversEveryCallItMade() {
        RbacCoverage.assertCovered(system.local.providers().stream()
                .flatMap(p -> p.cluster().requests().stream()).collect(Collectors.toSet()));
    }

    private static List<ProtocolEvent.LeaseCreated> leaseEvents() {
        return chain().events(0, chain().blockNumber()).stream().filter(ProtocolEvent.LeaseCreated.class::isInstance)
                .map(ProtocolEvent.LeaseCreated.class::cast).toList();
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
