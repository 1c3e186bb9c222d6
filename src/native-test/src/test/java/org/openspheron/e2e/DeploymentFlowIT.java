package org.openspheron.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.e2e.E2eSystem.assertEventually;
import static org.openspheron.e2e.E2eSystem.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * operator turns it into a GPUDeployment and pods, confirms on chain, withdraws its pay, survives a restart, serves the
 * workload's logs to its tenant only, tears the workload down on request and takes the manifest again, and the close
 * refunds the rest. Then a manifest with persistent storage runs as a StatefulSet with its claim, and the requests
 * the operators made (deletes included) are checked against their role. The steps build on each other, so they run
 * in order on one system.
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
        // Half an hour at the lease price, give or take the seconds the test itself took. Waited for as such: the
        // operator may already have withdrawn the few seconds accrued before the clock moved.
        BigInteger halfHour = chain().requireLease(leaseId).pricePerHour().divide(BigInteger.TWO);
        BigInteger expected = halfHour.multiply(BigInteger.valueOf(9)).divide(BigInteger.TEN);
        await(Duration.ofSeconds(60), "the provider withdraws the half hour lease " + leaseId + " accrued",
                () -> chain().requireLease(leaseId).paid().compareTo(expected) >= 0);
        Lease lease = chain().requireLease(leaseId);
        assertThat(lease.paid()).isGreaterThanOrEqualTo(expected);
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
    void logsPrintTheWorkloadsOutputToItsTenantAndToNoOneElse() {
        String namespace = "lease-" + leaseId;
        String pod = cluster().pods().inNamespace(namespace).list().getItems().get(0).getMetadata().getName();
        // The hollow kubelet's container runtime writes these two lines when the container starts, into the log file
        // the kubelet serves: the gateway reads them through the API server's pods/log, as on a real node.
        String started = "[" + pod + "] hollow container py-cuda started from image ";

        Cli.Result logs = system.cli.run("logs", Long.toString(leaseId)).ok();
        assertThat(logs.stdout().lines().filter(l -> l.startsWith(started)).toList()).hasSize(1);
        Cli.Result last = system.cli.run("logs", Long.toString(leaseId), "--service", "py-cuda", "--tail", "1").ok();
        assertThat(last.stdout().lines().toList()).hasSize(1).allMatch(l -> l.startsWith("[" + pod + "] "));
        // Followed: the stream stays open while the pod runs; the CLI is stopped after it printed the tail.
        Cli.Result followed = system.cli.runFor(Duration.ofSeconds(20), "logs", Long.toString(leaseId), "--follow", "--tail", "2");
        assertThat(followed.stdout().lines().toList()).hasSizeGreaterThanOrEqualTo(1).allMatch(l -> l.startsWith("[" + pod + "] "));

        // Someone else with a published certificate reaches the gateway and is refused; nothing of the log leaks.
        Cli.Result stranger = system.otherUser().run("logs", Long.toString(leaseId));
        assertThat(stranger.exitCode()).isNotZero();
        assertThat(stranger.stderr()).contains("403 NotTenant").contains("is not published by the tenant of lease " + leaseId);
        assertThat(stranger.stdout() + stranger.stderr()).doesNotContain("hollow container");
    }

    @Test
    @Order(6)
    void teardownWhileTheLeaseIsOpenRemovesWorkloadAndSecretsAndResumingTheDeployRestoresThem() {
        String namespace = "lease-" + leaseId;
        String gateway = us().gatewayUrl();
        String oldDeployment = cluster().genericKubernetesResources(GPU_DEPLOYMENTS).inNamespace(namespace)
                .withName("lease-" + leaseId).get().getMetadata().getUid();
        GatewayCall.Response refused = GatewayCall.send(system.otherUser(), gateway, "DELETE", "/lease/" + leaseId);
        assertThat(refused.status()).as(refused.body()).isEqualTo(403);
        assertThat(cluster().secrets().inNamespace(namespace).withName("py-cuda-env").get()).isNotNull();

        GatewayCall.Response teardown = GatewayCall.send(system.cli, gateway, "DELETE", "/lease/" + leaseId);
        assertThat(teardown.status()).as(teardown.body()).isEqualTo(202);
        assertThat(teardown.body()).contains("close the lease on chain to stop paying");
        assertThat(cluster().genericKubernetesResources(GPU_DEPLOYMENTS).inNamespace(namespace).withName("lease-" + leaseId)
                .get()).isNull();
        assertThat(cluster().secrets().inNamespace(namespace).withName("py-cuda-env").get()).isNull();
        assertEventually(Duration.ofSeconds(60), () -> {
            assertThat(cluster().apps().deployments().inNamespace(namespace).list().getItems()).isEmpty();
            assertThat(cluster().pods().inNamespace(namespace).list().getItems()).isEmpty();
        });
        // The lease is the tenant's to close: it stays open and paid, its namespace ready for the manifest again.
        assertThat(chain().requireLease(leaseId).state()).isEqualTo(LeaseState.ACTIVE);
        assertThat(cluster().namespaces().withName(namespace).get()).isNotNull();

        JsonNode resumed = system.cli.run(Duration.ofMinutes(3), "deploy",
                E2eSystem.ROOT.resolve("examples/jupyter-rtx4090.yaml").toString(), "--order",
                Long.toString(deployed.get("orderId").asLong()), "--json", "--poll-interval", "500ms").ok().json();
        assertThat(resumed.get("leaseId").asLong()).isEqualTo(leaseId);
        assertThat(cluster().genericKubernetesResources(GPU_DEPLOYMENTS).inNamespace(namespace).withName("lease-" + leaseId)
                .get().getMetadata().getUid()).isNotEqualTo(oldDeployment);
        assertThat(cluster().secrets().inNamespace(namespace).withName("py-cuda-env").get()).isNotNull();
        assertEventually(Duration.ofSeconds(60), () -> assertThat(cluster().pods().inNamespace(namespace).list().getItems())
                .isNotEmpty().allSatisfy(p -> assertThat(p.getStatus().getPhase()).isEqualTo("Running")));
        assertEventually(Duration.ofSeconds(60), () -> assertThat(system.cli.run("status", Long.toString(leaseId), "--json")
                .ok().json().get("deployment").get("phase").asText()).isEqualTo("Running"));
    }

    @Test
    @Order(7)
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
        assertEventually(Duration.ofSeconds(60), () -> assertThat(cluster().namespaces().withName(namespace).get())
                .as("namespace of closed lease " + leaseId).isNull());
    }

    @Test
    @Order(8)
    void persistentStorageRunsAsAStatefulSetWithABoundClaimOfTheOrderedSize() {
        // examples/pytorch-rtx4090.yaml: 200Gi of persistent storage of class beta3, mounted at /mnt/data.
        JsonNode pytorch = system.cli.run(Duration.ofMinutes(4), "deploy",
                E2eSystem.ROOT.resolve("examples/pytorch-rtx4090.yaml").toString(), "--json", "--poll-interval", "500ms")
                .ok().json();
        long lease = pytorch.get("leaseId").asLong();
        String namespace = "lease-" + lease;
        assertThat(chain().requireLease(lease).provider()).isEqualToIgnoringCase(us().key().getAddress());
        assertThat(pytorch.get("status").get("phase").asText()).isEqualTo("Running");

        assertThat(cluster().apps().deployments().inNamespace(namespace).list().getItems()).isEmpty();
        StatefulSet set = cluster().apps().statefulSets().inNamespace(namespace).withName("pytorch-server").get();
        assertThat(set).isNotNull();
        Quantity ordered = new Quantity("200Gi");
        assertThat(set.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(template -> {
            assertThat(template.getMetadata().getName()).isEqualTo("default");
            assertThat(template.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
            assertThat(Quantity.getAmountInBytes(template.getSpec().getResources().getRequests().get("storage")))
                    .isEqualByComparingTo(Quantity.getAmountInBytes(ordered));
            // Provider 0 maps Akash's beta3 to its StorageClass local-nvme (spheron.operator.storage-classes.beta3).
            assertThat(template.getSpec().getStorageClassName()).isEqualTo("local-nvme");
        });
        assertThat(set.getSpec().getTemplate().getSpec().getContainers().get(0).getVolumeMounts())
                .anySatisfy(m -> {
                    assertThat(m.getName()).isEqualTo("default");
                    assertThat(m.getMountPath()).isEqualTo("/mnt/data");
                });

        PersistentVolumeClaim claim = cluster().persistentVolumeClaims().inNamespace(namespace)
                .withName("default-pytorch-server-0").get();
        assertThat(claim).isNotNull();
        assertThat(claim.getStatus().getPhase()).isEqualTo("Bound");
        assertThat(cluster().persistentVolumes().withName(claim.getSpec().getVolumeName()).get().getSpec()
                .getStorageClassName()).isEqualTo("local-nvme");
        assertThat(Quantity.getAmountInBytes(claim.getSpec().getResources().getRequests().get("storage")))
                .isEqualByComparingTo(Quantity.getAmountInBytes(ordered));
        assertThat(Quantity.getAmountInBytes(claim.getStatus().getCapacity().get("storage")))
                .isGreaterThanOrEqualTo(Quantity.getAmountInBytes(ordered));
        // The claim bound one of the cluster's statically provisioned volumes (1Ti); what the lease may claim is its quota.
        Quantity quota = cluster().resourceQuotas().inNamespace(namespace).withName("lease-quota").get().getSpec().getHard()
                .get("requests.storage");
        assertThat(Quantity.getAmountInBytes(quota)).isGreaterThanOrEqualTo(Quantity.getAmountInBytes(ordered));
        Pod pod = cluster().pods().inNamespace(namespace).withName("pytorch-server-0").get();
        assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
        assertThat(pod.getSpec().getVolumes()).anySatisfy(v -> assertThat(v.getPersistentVolumeClaim().getClaimName())
                .isEqualTo("default-pytorch-server-0"));

        JsonNode status = system.cli.run("status", Long.toString(lease), "--json").ok().json();
        assertThat(status.get("deployment").get("phase").asText()).isEqualTo("Running");
        assertThat(status.get("deployment").get("services").get("pytorch-server").get("ready_replicas").asInt()).isEqualTo(1);

        system.cli.run("close", Long.toString(lease), "--json").ok();
        assertEventually(Duration.ofSeconds(60), () -> assertThat(cluster().namespaces().withName(namespace).get()).isNull());
    }

    @Test
    @Order(9)
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
    @Order(10)
    void anAkashSdlWithALeasedIpRunsOnAnAddressOfThePoolAndTheStatusShowsIt() {
        // A real published SDL (awesome-akash's handshake node): an ip endpoint, 100Gi of beta3, prices in uact.
        JsonNode hns = system.cli.run(Duration.ofMinutes(4), "deploy",
                E2eSystem.ROOT.resolve("manifest/src/test/resources/fixtures/akash-sdl/handshake_deploy.yaml").toString(),
                "--json", "--poll-interval", "500ms", "--max-price", "3", "--duration", "1h").ok().json();
        long lease = hns.get("leaseId").asLong();
        long orderId = hns.get("orderId").asLong();
        assertThat(org.openspheron.chain.OrderFeatures.leasedIps(chain().requireOrder(orderId).spec().features())).isEqualTo(1);
        assertThat(hns.get("status").get("phase").asText()).isEqualTo("Running");
        var provider = system.local.providers().stream()
                .filter(p -> p.key().getAddress().equalsIgnoreCase(chain().requireLease(lease).provider())).findFirst().orElseThrow();
        String pool = "192.0.2." + (16 * provider.index() + 16);
        JsonNode port = hns.get("status").get("forwarded_ports").get("hnsnode").get(0);
        assertThat(port.get("host").asText()).startsWith(pool.substring(0, pool.lastIndexOf('.') + 1));
        assertThat(port.get("externalPort").asInt()).isEqualTo(12038);

        String namespace = "lease-" + lease;
        var service = provider.cluster().client().services().inNamespace(namespace).withName("hnsnode-ip-0").get();
        assertThat(service.getSpec().getExternalIPs()).containsExactly(port.get("host").asText());
        assertThat(service.getSpec().getPorts()).extracting(p -> p.getPort()).containsExactly(12038);
        system.cli.run("close", Long.toString(lease), "--json").ok();
        assertEventually(Duration.ofSeconds(60), () -> assertThat(provider.cluster().client().namespaces()
                .withName(namespace).get()).isNull());
    }

    @Test
    @Order(11)
    void aConfidentialOrderIsBidOnlyByTheTeeProviderAndRunsUnderItsRuntimeClassOnItsTeeNode() throws Exception {
        java.nio.file.Path sdl = java.nio.file.Files.createTempFile("tdx", ".yaml");
        java.nio.file.Files.writeString(sdl, """
                version: "2.1"
                services:
                  enclave:
                    image: nginx:1.27
                    expose:
                      - port: 80
                        to:
                          - global: true
                    params:
                      tee:
                        type: tdx
                profiles:
                  compute:
                    enclave:
                      resources:
                        cpu:
                          units: 1
                        memory:
                          size: 1Gi
                        storage:
                          - size: 1Gi
                  placement:
                    dc:
                      pricing:
                        enclave:
                          denom: uakt
                          amount: 100
                deployment:
                  enclave:
                    dc:
                      profile: enclave
                      count: 1
                """);
        JsonNode tdx = system.cli.run(Duration.ofMinutes(4), "deploy", sdl.toString(), "--json", "--poll-interval", "500ms",
                "--max-price", "3", "--duration", "1h").ok().json();
        long lease = tdx.get("leaseId").asLong();
        long orderId = tdx.get("orderId").asLong();
        assertThat(org.openspheron.chain.OrderFeatures.teeTypes(chain().requireOrder(orderId).spec().features()))
                .containsExactly("tdx");
        // Provider 1 runs no TEE: it did not bid, although the order fits its nodes and price.
        assertThat(chain().bids(orderId)).extracting(b -> b.provider().toLowerCase())
                .containsExactly(us().key().getAddress().toLowerCase());
        assertThat(tdx.get("status").get("phase").asText()).isEqualTo("Running");

        Pod pod = cluster().pods().inNamespace("lease-" + lease).list().getItems().get(0);
        assertThat(pod.getSpec().getRuntimeClassName()).isEqualTo("kata-qemu-tdx");
        assertThat(pod.getSpec().getNodeName()).isEqualTo(us().tdxNode());
        system.cli.run("close", Long.toString(lease), "--json").ok();
    }

    @Test
    @Order(12)
    void providerOperatorRbacCoversEveryCallItMadeDeletesIncluded() {
        Set<RbacCoverage.Permission> used = RbacCoverage.assertCovered(system.local.providers().stream()
                .flatMap(p -> p.cluster().requests().stream()).toList());
        // The closes, the tear-down and the logs above made these; each is checked against the role like the rest.
        assertThat(used).contains(
                new RbacCoverage.Permission("", "namespaces", "delete"),
                new RbacCoverage.Permission("", "secrets", "delete"),
                new RbacCoverage.Permission("openspheron.org", "gpudeployments", "delete"),
                new RbacCoverage.Permission("", "pods/log", "get"),
                new RbacCoverage.Permission("node.k8s.io", "runtimeclasses", "get"));
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
