package org.openspheron.operator.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.openspheron.chain.ProtocolFixture.tokens;
import static org.openspheron.operator.gateway.ManifestDeploymentTest.decode;
import static org.openspheron.operator.gateway.ManifestDeploymentTest.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.GpuOffer;
import org.openspheron.chain.OrderSpec;
import org.openspheron.manifest.Manifest;
import org.openspheron.manifest.ResourceTotals;
import org.openspheron.chain.ProtocolFixture;
import org.openspheron.chain.ProviderClient;
import org.openspheron.chain.TenantClient;
import org.openspheron.chain.identity.ClientIdentity;
import org.openspheron.devnet.DevCluster;
import org.openspheron.devnet.GpuNode;
import org.openspheron.manifest.ManifestException;
import org.openspheron.manifest.ManifestParser;
import org.openspheron.operator.OperatorFixture;
import org.openspheron.operator.inventory.ClusterInventory;
import org.openspheron.operator.deployment.GPUDeployment;
import org.openspheron.operator.deployment.GPUDeploymentStatus;
import org.openspheron.operator.lease.LeaseResources;
import org.openspheron.operator.crd.Condition;
import org.openspheron.operator.lease.SpheronLease;
import org.openspheron.operator.lease.SpheronLeaseReconciler;
import org.openspheron.operator.lease.SpheronLeaseSpec;
import org.openspheron.operator.lease.SpheronLeaseStatus;

/**
 * The gateway over real TLS, against a real anvil chain with the protocol deployed and a real Kubernetes control
 * plane (a DevCluster with the CRDs; no operator runs, so the tests stand in for the reconcilers where they need a
 * status). Pods run on hollow nodes, whose kubelet serves the lines its fake runtime writes as container logs.
 * Three users: the tenant (certificate published on chain), another user (published too) and a stranger whose
 * certificate is not published; plus a client with no certificate at all.
 */
class ProviderGatewayTest {
    private static final Duration TIMEOUT = OperatorFixture.TIMEOUT;
    private static DevCluster cluster;
    static KubernetesClient client;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] JUPYTER = manifest("examples_spheron.persistent.yaml");
    private static final byte[] PRIVATE_LLM = manifest("private-llm-with-secrets.yaml");
    private static final List<String> SECRET_VALUES = List.of("hf_GatewaySecretValueDoNotLeak17",
            "ghp_RegistryPasswordDoNotLeak42", "pg_SecretValueDoNotLeak99");

    private static ProtocolFixture protocol;
    private static ProviderClient provider;
    private static ProviderClient otherProvider;
    private static TenantClient tenant;
    private static TenantClient otherUser;
    private static Vertx vertx;
    private static GatewayServer gateway;
    private static ClusterInventory inventory;
    private static GatewayTls asTenant;
    private static GatewayTls asOtherUser;
    private static GatewayTls asStranger;
    private static GatewayTls withoutCertificate;
    private static final List<String> logLines = new CopyOnWriteArrayList<>();
    private static final Handler logCapture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            String message = record.getMessage();
            if (record.getParameters() != null && record.getParameters().length > 0) {
                message = message + " " + List.of(record.getParameters());
            }
            logLines.add(record.getLoggerName() + " " + message
                    + (record.getThrown() == null ? "" : " " + record.getThrown()));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void startChainClusterAndGateway() throws IOException {
        Logger.getLogger("").addHandler(logCapture);
        // What providerStatusCountsGpusPerModelForAnyCertificate counts: 8 H100 on two nodes, 2 A100.
        cluster = DevCluster.start(List.of(
                new GpuNode("gpu-a", "NVIDIA-H100-80GB-HBM3", 4, 32, 256, "us-east-1a"),
                new GpuNode("gpu-b", "NVIDIA-H100-80GB-HBM3", 4, 32, 256, "us-east-1a"),
                new GpuNode("gpu-c", "NVIDIA-A100-SXM4-40GB", 2, 32, 256, "us-east-1a")));
        cluster.applyDirectory(OperatorFixture.generatedCrds());
        client = cluster.client();

        protocol = ProtocolFixture.start();
        provider = protocol.registeredProvider(0, "us-east", "us-east-1a", List.of(new GpuOffer("H100", 64, 64)));
        otherProvider = protocol.registeredProvider(1, "eu-west", "", List.of(new GpuOffer("H100", 64, 64)));
        tenant = protocol.tenant(0);
        otherUser = protocol.tenant(1);
        ClientIdentity tenantIdentity = published(tenant);
        ClientIdentity otherIdentity = published(otherUser);
        ClientIdentity strangerIdentity = ClientIdentity.create(protocol.tenantKey(2).getAddress(), List.of(),
                Duration.ofDays(1));

        vertx = Vertx.vertx();
        Path identityDir = Files.createTempDirectory("gateway-identity");
        ClientIdentity serverIdentity = GatewayIdentity.inDirectory(identityDir, provider.address(),
                List.of("127.0.0.1", "localhost"));
        GatewayServer.Settings settings = new GatewayServer.Settings("127.0.0.1", 0, provider.address(),
                Duration.ofSeconds(30), Duration.ZERO, Duration.ofMillis(800), 1024 * 1024);
        inventory = new ClusterInventory(client);
        gateway = new GatewayServer(vertx, settings, serverIdentity, protocol.reader(), client, inventory).start();
        asTenant = new GatewayTls(gateway.port(), serverIdentity.certificate(), tenantIdentity);
        asOtherUser = new GatewayTls(gateway.port(), serverIdentity.certificate(), otherIdentity);
        asStranger = new GatewayTls(gateway.port(), serverIdentity.certificate(), strangerIdentity);
        withoutCertificate = new GatewayTls(gateway.port(), serverIdentity.certificate(), null);
    }

    @AfterAll
    static void stopAll() {
        Logger.getLogger("").removeHandler(logCapture);
        if (gateway != null) {
            gateway.close();
        }
        if (inventory != null) {
            inventory.close();
        }
        if (vertx != null) {
            vertx.close();
        }
        if (protocol != null) {
            protocol.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static ClientIdentity published(TenantClient account) {
        ClientIdentity identity = ClientIdentity.create(account.address(), List.of(), Duration.ofDays(1));
        account.publishCertificate(identity.fingerprint());
        return identity;
    }

    /** A lease of {@code provider} for the tenant whose order carries the canonical hash of {@code yaml}. */
    private static long leaseFor(byte[] yaml, ProviderClient matched, boolean withNamespace) {
        return leaseFor(yaml, matched, withNamespace, spec -> spec);
    }

    /** The order a CLI would make for {@code yaml} (its totals and first GPU model), changed by {@code change}. */
    private static long leaseFor(byte[] yaml, ProviderClient matched, boolean withNamespace, UnaryOperator<OrderSpec> change) {
        Manifest manifest = ManifestParser.parse(yaml);
        ResourceTotals totals = manifest.resources();
        OrderSpec spec = change.apply(new OrderSpec(totals.cpuMilli(), totals.memoryMb(), totals.storageMb(), totals.gpuCount(),
                totals.gpuCount() == 0 ? "" : totals.gpuModel().isBlank() ? "H100" : totals.gpuModel(), "us-east", "", false,
                tokens(5), 3600, manifest.canonicalHash()));
        long orderId = tenant.createOrder(spec, tokens(20));
        int bid = matched.submitBid(orderId, tokens(3));
        protocol.closeBidWindow(orderId);
        long leaseId = protocol.matchWithQuorum(orderId, bid, 2);
        if (withNamespace) {
            // what the lease watcher and the SpheronLease reconciler do when the lease is matched: the object, the
            // namespace, and NamespaceReady once its quota and policies are in place
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata()
                    .withName(SpheronLease.nameFor(leaseId)).endMetadata().build()).create();
            mirror(leaseId, SpheronLeaseStatus.Phase.PendingManifest, "waiting for the tenant's manifest");
        }
        return leaseId;
    }

    private static long leaseFor(byte[] yaml) {
        return leaseFor(yaml, provider, true);
    }

    /** A pod of service py-cuda asking more GPUs than any node has: Pending, without a node or a container status. */
    private static void createUnschedulablePod(String namespace, String name) {
        client.pods().inNamespace(namespace).resource(new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).addToLabels("openspheron.org/service", "py-cuda")
                .endMetadata()
                .withNewSpec().addNewContainer().withName("py-cuda").withImage("jupyter:1")
                .withNewResources().addToLimits("nvidia.com/gpu", new Quantity("64")).endResources().endContainer().endSpec()
                .build()).create();
    }

    private static GPUDeployment deploymentOf(long leaseId) {
        return client.resources(GPUDeployment.class).inNamespace("lease-" + leaseId).withName("lease-" + leaseId).get();
    }

    private static JsonNode json(GatewayTls.Reply reply) throws IOException {
        return JSON.readTree(reply.body());
    }

    @Test
    void theTenantsManifestBecomesTheLeasesGpuDeploymentAndSecrets() throws Exception {
        long leaseId = leaseFor(JUPYTER);

        GatewayTls.Reply reply = asTenant.putManifest(leaseId, JUPYTER);

        assertThat(reply.status()).as(reply.body()).isEqualTo(202);
        JsonNode body = json(reply);
        assertThat(body.get("leaseId").asLong()).isEqualTo(leaseId);
        assertThat(body.get("manifestHash").asText()).isEqualTo(ManifestParser.parse(JUPYTER).canonicalHash());
        assertThat(body.get("services")).extracting(JsonNode::asText).containsExactly("py-cuda");
        GPUDeployment deployment = deploymentOf(leaseId);
        assertThat(deployment.getSpec().getLeaseId()).isEqualTo(leaseId);
        var service = deployment.getSpec().getServices().get(0);
        assertThat(service.getImage()).isEqualTo("spheronfdn/jupyter-notebook:pytorch-2.4.1-cuda-enabled");
        assertThat(service.getResources().getCpuMilli()).isEqualTo(8000);
        assertThat(service.getResources().getMemoryMb()).isEqualTo(16 * 1024);
        assertThat(service.getResources().getGpuCount()).isEqualTo(1);
        assertThat(service.getResources().getGpuModel()).isEqualTo("rtx4090");
        assertThat(service.getResources().getVolumes()).singleElement()
                .satisfies(v -> assertThat(v.getMountPath()).isEqualTo("/home/jovyan/work"));
        assertThat(service.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getPort()).isEqualTo(8888);
            assertThat(p.isGlobal()).isTrue();
        });
        assertThat(service.getEnv()).isEmpty();
        assertThat(service.getSecretRef()).isEqualTo("py-cuda-env");
        Secret env = client.secrets().inNamespace("lease-" + leaseId).withName("py-cuda-env").get();
        assertThat(decode(env.getData().get("JUPYTER_TOKEN"))).isEqualTo("test");
        assertThat(env.getImmutable()).as("nothing rewrites a manifest's Secret; the operator's role cannot").isTrue();
    }

    /**
     * Issue 14, "the lease decides the model, not the manifest": the gateway ran whatever the manifest asked, so an
     * order for one GPU carrying the hash of a manifest for many ran into the quota at best. It is refused, with the
     * field, before anything is created.
     */
    @Test
    void aManifestAskingForMoreThanTheLeaseBoughtIsRefusedWithTheField() throws Exception {
        long fewerGpus = leaseFor(JUPYTER, provider, true, o -> new OrderSpec(o.cpuMilli(), o.memoryMb(), o.storageMb(),
                0, "", o.region(), o.zone(), o.regionRequired(), o.maxPricePerHour(), o.durationSeconds(), o.manifestHash()));
        long lessMemory = leaseFor(JUPYTER, provider, true, o -> new OrderSpec(o.cpuMilli(), o.memoryMb() - 1, o.storageMb(),
                o.gpuCount(), o.gpuModel(), o.region(), o.zone(), o.regionRequired(), o.maxPricePerHour(), o.durationSeconds(),
                o.manifestHash()));

        GatewayTls.Reply gpus = asTenant.putManifest(fewerGpus, JUPYTER);
        GatewayTls.Reply memory = asTenant.putManifest(lessMemory, JUPYTER);

        assertThat(gpus.status()).as(gpus.body()).isEqualTo(400);
        assertThat(json(gpus).get("error").asText()).isEqualTo("InvalidManifest");
        assertThat(json(gpus).get("field").asText()).isEqualTo("profiles.compute.*.resources.gpu");
        assertThat(json(gpus).get("message").asText()).contains("asks for 1 GPUs").contains("bought 0");
        assertThat(memory.status()).as(memory.body()).isEqualTo(400);
        assertThat(json(memory).get("field").asText()).isEqualTo("profiles.compute.*.resources.memory");
        assertThat(deploymentOf(fewerGpus)).isNull();
        assertThat(deploymentOf(lessMemory)).isNull();
    }

    @Test
    void gpuServicesRunOnTheModelTheLeaseWasOrderedForAndAManifestExcludingItIsRefused() throws Exception {
        byte[] either = new String(JUPYTER, java.nio.charset.StandardCharsets.UTF_8)
                .replace("- model: rtx4090", "- model: rtx4090\n                - model: h100")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(ManifestParser.parse(either).gpuModels()).containsExactly("rtx4090", "h100");
        long forH100 = leaseFor(either, provider, true, o -> new OrderSpec(o.cpuMilli(), o.memoryMb(), o.storageMb(),
                o.gpuCount(), "H100", o.region(), o.zone(), o.regionRequired(), o.maxPricePerHour(), o.durationSeconds(),
                o.manifestHash()));
        long forA100 = leaseFor(JUPYTER, provider, true, o -> new OrderSpec(o.cpuMilli(), o.memoryMb(), o.storageMb(),
                o.gpuCount(), "A100", o.region(), o.zone(), o.regionRequired(), o.maxPricePerHour(), o.durationSeconds(),
                o.manifestHash()));

        GatewayTls.Reply accepted = asTenant.putManifest(forH100, either);
        GatewayTls.Reply refused = asTenant.putManifest(forA100, JUPYTER);

        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        assertThat(deploymentOf(forH100).getSpec().getServices().get(0).getResources().getGpuModel()).isEqualTo("H100");
        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(json(refused).get("message").asText()).contains("accepts the GPU models [rtx4090]")
                .contains("ordered and bid for A100");
        assertThat(json(refused).get("field").asText()).startsWith("profiles.compute.").endsWith(".resources.gpu");
        assertThat(deploymentOf(forA100)).isNull();
    }

    @Test
    void sendingTheSameManifestAgainIsAcceptedAgain() throws Exception {
        long leaseId = leaseFor(JUPYTER);

        assertThat(asTenant.putManifest(leaseId, JUPYTER).status()).isEqualTo(202);
        client.resources(GPUDeployment.class).inNamespace("lease-" + leaseId).withName("lease-" + leaseId)
                .edit(d -> {
                    d.getMetadata().getFinalizers().add("openspheron.org/workload");
                    return d;
                });
        client.secrets().inNamespace("lease-" + leaseId).withName("py-cuda-env").delete();

        GatewayTls.Reply again = asTenant.putManifest(leaseId, JUPYTER);

        assertThat(again.status()).as(again.body()).isEqualTo(202);
        assertThat(client.resources(GPUDeployment.class).inNamespace("lease-" + leaseId).list().getItems()).hasSize(1);
        assertThat(deploymentOf(leaseId).getMetadata().getFinalizers()).as("what the reconciler added is kept")
                .contains("openspheron.org/workload");
        assertThat(client.secrets().inNamespace("lease-" + leaseId).withName("py-cuda-env").get())
                .as("a re-send repairs a missing Secret").isNotNull();
        GatewayTls.Reply third = asTenant.putManifest(leaseId, JUPYTER);
        assertThat(third.status()).as("a re-send over existing Secrets: %s", third.body()).isEqualTo(202);
    }

    @Test
    void anotherUsersPublishedCertificateIsForbidden() throws Exception {
        long leaseId = leaseFor(JUPYTER);

        GatewayTls.Reply reply = asOtherUser.putManifest(leaseId, JUPYTER);

        assertThat(reply.status()).isEqualTo(403);
        assertThat(json(reply).get("error").asText()).isEqualTo("NotTenant");
        assertThat(json(reply).get("message").asText()).contains("is not published by the tenant of lease " + leaseId);
        assertThat(deploymentOf(leaseId)).isNull();
        assertThat(asOtherUser.get("/lease/" + leaseId + "/status").status()).isEqualTo(403);
        assertThat(asOtherUser.delete("/lease/" + leaseId).status()).isEqualTo(403);
    }

    @Test
    void aCertificateNotPublishedOnChainIsForbiddenEvenWithTheTenantsAddressInIt() throws Exception {
        long leaseId = leaseFor(JUPYTER);
        ClientIdentity forged = ClientIdentity.create(tenant.address(), List.of(), Duration.ofDays(1));
        GatewayTls impostor = new GatewayTls(gateway.port(), gateway.identity().certificate(), forged);

        GatewayTls.Reply reply = impostor.putManifest(leaseId, JUPYTER);

        assertThat(reply.status()).isEqualTo(403);
        assertThat(json(reply).get("message").asText()).contains("not published");
        assertThat(asStranger.putManifest(leaseId, JUPYTER).status()).isEqualTo(403);
        assertThat(deploymentOf(leaseId)).isNull();
    }

    /**
     * Issue 12, attack 13, "certificate squatting": certificates are public (every TLS handshake shows one, and a
     * publication waits in the mempool), so another account publishes the tenant's fingerprint first. The tenant
     * still publishes it, and the gateway serves the tenant's lease to it, as the tenant's.
     */
    @Test
    void frontRunPublishCannotSquatATenantsCertificate() throws Exception {
        long leaseId = leaseFor(JUPYTER);
        ClientIdentity renewed = ClientIdentity.create(tenant.address(), List.of(), Duration.ofDays(1));
        otherUser.publishCertificate(renewed.fingerprint());
        tenant.publishCertificate(renewed.fingerprint());
        logLines.clear();

        GatewayTls.Reply reply = new GatewayTls(gateway.port(), gateway.identity().certificate(), renewed)
                .putManifest(leaseId, JUPYTER);

        assertThat(reply.status()).as(reply.body()).isEqualTo(202);
        assertThat(String.join("\n", logLines).toLowerCase())
                .contains("lease " + leaseId + ": accepted manifest")
                .contains("from tenant " + tenant.address().toLowerCase())
                .doesNotContain(otherUser.address().toLowerCase());
    }

    @Test
    void aClientWithoutCertificateIsRefusedInTheTlsHandshake() {
        assertThatThrownBy(() -> withoutCertificate.get("/status")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> withoutCertificate.putManifest(1, JUPYTER)).isInstanceOf(IOException.class);
    }

    @Test
    void anExpiredCertificateIsRefusedInTheTlsHandshake() {
        ClientIdentity expired = ClientIdentity.create(tenant.address(), List.of(), Duration.ofMinutes(-1));
        tenant.publishCertificate(expired.fingerprint());
        GatewayTls client = new GatewayTls(gateway.port(), gateway.identity().certificate(), expired);

        assertThatThrownBy(() -> client.get("/status")).isInstanceOf(IOException.class);
    }

    @Test
    void aRevokedCertificateLosesAccessOnceItsCachedAnswerExpires() {
        AtomicLong clock = new AtomicLong();
        ChainView chain = new ChainView(protocol.reader(), Duration.ofSeconds(30), Duration.ZERO, clock::get);
        ClientIdentity identity = published(otherUser);
        assertThat(chain.vouches(otherUser.address(), identity.fingerprint())).isTrue();

        otherUser.revokeCertificate(identity.fingerprint());

        assertThat(chain.vouches(otherUser.address(), identity.fingerprint())).as("still cached").isTrue();
        clock.addAndGet(Duration.ofSeconds(31).toNanos());
        assertThat(chain.vouches(otherUser.address(), identity.fingerprint())).isFalse();
    }

    @Test
    void anUnknownLeaseIsNotFound() throws Exception {
        GatewayTls.Reply reply = asTenant.putManifest(999_999, JUPYTER);

        assertThat(reply.status()).isEqualTo(404);
        assertThat(json(reply).get("error").asText()).isEqualTo("UnknownLease");
        assertThat(asTenant.get("/lease/999999/status").status()).isEqualTo(404);
    }

    @Test
    void aLeaseOfAnotherProviderIsNotFoundHere() throws Exception {
        long leaseId = leaseFor(JUPYTER, otherProvider, false);

        GatewayTls.Reply reply = asTenant.putManifest(leaseId, JUPYTER);

        assertThat(reply.status()).isEqualTo(404);
        assertThat(json(reply).get("error").asText()).isEqualTo("UnknownLease");
    }

    @Test
    void aManifestWhoseHashDiffersFromTheOrdersIsRejected() throws Exception {
        long leaseId = leaseFor(JUPYTER);

        GatewayTls.Reply reply = asTenant.putManifest(leaseId, manifest("wordpress_spheron.yaml"));

        assertThat(reply.status()).isEqualTo(400);
        assertThat(json(reply).get("error").asText()).isEqualTo("ManifestHashMismatch");
        assertThat(json(reply).get("message").asText())
                .contains(ManifestParser.parse(JUPYTER).canonicalHash())
                .contains(ManifestParser.parse(manifest("wordpress_spheron.yaml")).canonicalHash());
        assertThat(deploymentOf(leaseId)).isNull();
    }

    @Test
    void anInvalidManifestIsRejectedWithTheParsersMessageAndField() throws Exception {
        long leaseId = leaseFor(JUPYTER);
        byte[] invalid = new String(JUPYTER, StandardCharsets.UTF_8).replace("port: 8888", "port: 70000")
                .getBytes(StandardCharsets.UTF_8);
        ManifestException expected = catchManifestException(invalid);

        GatewayTls.Reply reply = asTenant.putManifest(leaseId, invalid);

        assertThat(reply.status()).isEqualTo(400);
        JsonNode body = json(reply);
        assertThat(body.get("error").asText()).isEqualTo("InvalidManifest");
        assertThat(body.get("message").asText()).isEqualTo(expected.getMessage()).contains("70000");
        assertThat(body.get("field").asText()).isEqualTo(expected.field()).isEqualTo("services.py-cuda.expose[0].port");
    }

    @Test
    void aServiceNameKubernetesCannotTakeIsRefusedWithItsFieldBeforeAnythingIsCreated() throws Exception {
        long leaseId = leaseFor(JUPYTER);
        String tooLong = "py-cuda-" + "x".repeat(45);
        byte[] invalid = new String(JUPYTER, StandardCharsets.UTF_8).replace("py-cuda:", tooLong + ":")
                .getBytes(StandardCharsets.UTF_8);

        GatewayTls.Reply reply = asTenant.putManifest(leaseId, invalid);

        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(json(reply).get("error").asText()).isEqualTo("InvalidManifest");
        assertThat(json(reply).get("field").asText()).isEqualTo("services." + tooLong);
        assertNothingCreated(leaseId);
    }

    @Test
    void aServiceNamedLikeAnotherServicesExternalServiceIsRefusedBeforeAnythingIsCreated() throws Exception {
        byte[] clash = new String(manifest("wordpress_spheron.yaml"), StandardCharsets.UTF_8)
                .replace("\n  db:\n", "\n  wordpress-ext:\n")
                .getBytes(StandardCharsets.UTF_8);
        long leaseId = leaseFor(clash);

        GatewayTls.Reply reply = asTenant.putManifest(leaseId, clash);

        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(json(reply).get("error").asText()).isEqualTo("InvalidManifest");
        assertThat(json(reply).get("field").asText()).isEqualTo("services.wordpress-ext");
        assertNothingCreated(leaseId);
    }

    /** Neither the GPUDeployment nor any of the manifest's Secrets exists in the lease's namespace. */
    private static void assertNothingCreated(long leaseId) {
        assertThat(deploymentOf(leaseId)).isNull();
        assertThat(client.secrets().inNamespace("lease-" + leaseId).withLabel("app.kubernetes.io/managed-by").list().getItems())
                .isEmpty();
    }

    @Test
    void malformedYamlIsRejectedAsAnInvalidManifest() throws Exception {
        long leaseId = leaseFor(JUPYTER);

        GatewayTls.Reply reply = asTenant.putManifest(leaseId, "services: [unclosed".getBytes(StandardCharsets.UTF_8));

        assertThat(reply.status()).isEqualTo(400);
        assertThat(json(reply).get("error").asText()).isEqualTo("InvalidManifest");
        assertThat(json(reply).get("message").asText()).isNotBlank();
    }

    @Test
    void aManifestOverTheSizeLimitIsRefusedBeforeItIsRead() throws Exception {
        long leaseId = 1;
        byte[] huge = new byte[1024 * 1024 + 1];
        java.util.Arrays.fill(huge, (byte) '#');

        GatewayTls.Reply reply = asTenant.putManifest(leaseId, huge);

        assertThat(reply.status()).isEqualTo(413);
        assertThat(json(reply).get("error").asText()).isEqualTo("ManifestTooLarge");
    }

    @Test
    void aManifestForAClosedLeaseIsRefused() throws Exception {
        long leaseId = leaseFor(JUPYTER);
        tenant.closeLease(leaseId);

        GatewayTls.Reply reply = asTenant.putManifest(leaseId, JUPYTER);

        assertThat(reply.status()).isEqualTo(409);
        assertThat(json(reply).get("error").asText()).isEqualTo("LeaseNotActive");
        assertThat(deploymentOf(leaseId)).isNull();
    }

    /**
     * Review: only the lease's state was checked, and the chain keeps a lease active until someone settles it, so a
     * manifest re-sent after the lease's duration ended, or first sent after its confirm deadline, started a
     * workload whose GPUs earn nothing. Both are refused.
     */
    @Test
    void aManifestForALeaseWhoseTimeIsOverIsRefused() throws Exception {
        long unconfirmed = leaseFor(JUPYTER);
        long ended = leaseFor(JUPYTER);
        provider.confirmDeployment(ended);

        protocol.chain().increaseTime(Duration.ofSeconds(3600 + 60)); // past the one-hour order and the confirm window
        protocol.chain().mine(1);
        GatewayTls.Reply late = asTenant.putManifest(unconfirmed, JUPYTER);
        GatewayTls.Reply over = asTenant.putManifest(ended, JUPYTER);

        assertThat(late.status()).as(late.body()).isEqualTo(409);
        assertThat(json(late).get("error").asText()).isEqualTo("ConfirmDeadlinePassed");
        assertThat(over.status()).as(over.body()).isEqualTo(409);
        assertThat(json(over).get("error").asText()).isEqualTo("LeaseEnded");
        assertThat(deploymentOf(unconfirmed)).isNull();
        assertThat(deploymentOf(ended)).isNull();
    }

    @Test
    void aManifestArrivingBeforeTheLeasesNamespaceIsAskedToRetry() throws Exception {
        long leaseId = leaseFor(JUPYTER, provider, false);

        GatewayTls.Reply reply = asTenant.putManifest(leaseId, JUPYTER);

        assertThat(reply.status()).isEqualTo(503);
        assertThat(json(reply).get("error").asText()).isEqualTo("LeaseNotReady");
        assertThat(reply.raw().headers().firstValue("Retry-After")).hasValue("5");
        assertThat(client.namespaces().withName("lease-" + leaseId).get()).isNull();
    }

    @Test
    void secretValuesReachOnlyTheSecretsNeverTheGpuDeploymentStatusOrLogs() throws Exception {
        long leaseId = leaseFor(PRIVATE_LLM);
        logLines.clear();

        GatewayTls.Reply accepted = asTenant.putManifest(leaseId, PRIVATE_LLM);
        GatewayTls.Reply status = asTenant.get("/lease/" + leaseId + "/status");

        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        assertThat(status.status()).isEqualTo(200);
        String deploymentYaml = Serialization.asYaml(deploymentOf(leaseId));
        String logs = String.join("\n", logLines);
        assertThat(logs).as("the gateway logged the acceptance").contains("lease " + leaseId + ": accepted manifest")
                .contains("web.HF_TOKEN");
        for (String secret : SECRET_VALUES) {
            assertThat(deploymentYaml).doesNotContain(secret);
            assertThat(status.body()).doesNotContain(secret);
            assertThat(accepted.body()).doesNotContain(secret);
            assertThat(logs).doesNotContain(secret);
        }
        Map<String, String> webEnv = client.secrets().inNamespace("lease-" + leaseId).withName("web-env").get().getData();
        assertThat(decode(webEnv.get("HF_TOKEN"))).isEqualTo("hf_GatewaySecretValueDoNotLeak17");
        Secret dbEnv = client.secrets().inNamespace("lease-" + leaseId).withName("db-env").get();
        assertThat(decode(dbEnv.getData().get("POSTGRES_PASSWORD"))).isEqualTo("pg_SecretValueDoNotLeak99");
        Secret registry = client.secrets().inNamespace("lease-" + leaseId).withName("web-registry").get();
        assertThat(registry.getType()).isEqualTo("kubernetes.io/dockerconfigjson");
        assertThat(decode(registry.getData().get(".dockerconfigjson"))).contains("ghp_RegistryPasswordDoNotLeak42");
    }

    @Test
    void leaseStatusShowsPhaseReplicasUrisPortsAndRecentEvents() throws Exception {
        long leaseId = leaseFor(JUPYTER);
        assertThat(asTenant.putManifest(leaseId, JUPYTER).status()).isEqualTo(202);
        String namespace = "lease-" + leaseId;
        markRunning(leaseId);
        client.resources(GPUDeployment.class).inNamespace(namespace).withName(namespace).editStatus(d -> {
            GPUDeploymentStatus status = new GPUDeploymentStatus();
            status.setPhase(GPUDeploymentStatus.Phase.Running);
            GPUDeploymentStatus.ServiceStatus service = new GPUDeploymentStatus.ServiceStatus();
            service.setName("py-cuda");
            service.setReplicas(1);
            service.setReadyReplicas(1);
            service.setUris(List.of("http://203.0.113.7:31234"));
            status.setServices(List.of(service));
            status.setForwardedPorts(List.of(new GPUDeploymentStatus.PortMapping("py-cuda", 8888, "203.0.113.7", 31234, "TCP")));
            d.setStatus(status);
            return d;
        });
        client.v1().events().inNamespace(namespace).resource(new EventBuilder()
                .withNewMetadata().withName("py-cuda.1").withNamespace(namespace).endMetadata()
                .withType("Normal").withReason("Pulled").withMessage("image pulled")
                .withLastTimestamp("2026-11-26T10:00:00Z")
                .withNewInvolvedObject().withKind("Pod").withName("py-cuda-0").withNamespace(namespace).endInvolvedObject()
                .build()).create();

        GatewayTls.Reply reply = asTenant.get("/lease/" + leaseId + "/status");

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode body = json(reply);
        assertThat(body.get("leaseId").asLong()).isEqualTo(leaseId);
        assertThat(body.get("phase").asText()).isEqualTo("Running");
        assertThat(body.get("message").asText()).isEqualTo("all 1 replicas ready");
        JsonNode service = body.get("services").get("py-cuda");
        assertThat(service.get("available").asInt()).isEqualTo(1);
        assertThat(service.get("total").asInt()).isEqualTo(1);
        assertThat(service.get("ready_replicas").asInt()).isEqualTo(1);
        assertThat(service.get("uris").get(0).asText()).isEqualTo("http://203.0.113.7:31234");
        JsonNode port = body.get("forwarded_ports").get("py-cuda").get(0);
        assertThat(port.get("host").asText()).isEqualTo("203.0.113.7");
        assertThat(port.get("port").asInt()).isEqualTo(8888);
        assertThat(port.get("externalPort").asInt()).isEqualTo(31234);
        assertThat(port.get("proto").asText()).isEqualTo("TCP");
        JsonNode event = body.get("events").get(0);
        assertThat(event.get("reason").asText()).isEqualTo("Pulled");
        assertThat(event.get("time").asText()).isEqualTo("2026-11-26T10:00:00Z");
    }

    @Test
    void statusBeforeAnyManifestSaysTheLeaseWaitsForIt() throws Exception {
        long leaseId = leaseFor(JUPYTER);

        GatewayTls.Reply reply = asTenant.get("/lease/" + leaseId + "/status");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(json(reply).get("phase").asText()).isEqualTo("PendingManifest");
        assertThat(json(reply).get("services")).isEmpty();
    }

    @Test
    void logsArePrefixedWithThePodName() throws Exception {
        long leaseId = leaseFor(JUPYTER);
        String namespace = "lease-" + leaseId;
        awaitRunning(createPod(namespace, "py-cuda-0", "py-cuda"));

        GatewayTls.Reply reply = asTenant.get("/lease/" + leaseId + "/logs?service=py-cuda&tail=5");

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo("[py-cuda-0] hollow container py-cuda started from image jupyter:1\n"
                + "[py-cuda-0] $ jupyter lab --port 8888\n");
        assertThat(asTenant.get("/lease/" + leaseId + "/logs?service=py-cuda&tail=1").body())
                .isEqualTo("[py-cuda-0] $ jupyter lab --port 8888\n");
        assertThat(asTenant.get("/lease/" + leaseId + "/logs?service=other").body()).isEmpty();
        assertThat(asOtherUser.get("/lease/" + leaseId + "/logs").status()).isEqualTo(403);
    }

    /**
     * Review: a tail gathered up to 10,000 lines of every pod, of any length, in the operator's memory. The API
     * server is asked for at most {@link LeaseEndpoints#TAIL_BYTES_PER_POD} of each pod's log; here, a cap of 20
     * bytes gives the first 20 of the tail.
     */
    @Test
    void aTailReadsAtMostItsByteLimitOfAPodsLog() {
        long leaseId = leaseFor(JUPYTER);
        awaitRunning(createPod("lease-" + leaseId, "py-cuda-0", "py-cuda"));
        io.fabric8.kubernetes.api.model.Pod pod = client.pods().inNamespace("lease-" + leaseId).withName("py-cuda-0").get();
        LeaseCluster cluster = new LeaseCluster(client, Duration.ZERO);

        assertThat(cluster.tail(pod, 5, 20)).isEqualTo("hollow container py-");
        assertThat(cluster.tail(pod, 5, LeaseEndpoints.TAIL_BYTES_PER_POD))
                .isEqualTo("hollow container py-cuda started from image jupyter:1\n$ jupyter lab --port 8888\n");
    }

    @Test
    void followedLogsStreamUntilTheLeaseClosesOnChain() throws Exception {
        long leaseId = leaseFor(JUPYTER);
        String namespace = "lease-" + leaseId;
        awaitRunning(createPod(namespace, "py-cuda-0", "py-cuda"));

        GatewayTls.Follow follow = asTenant.follow("/lease/" + leaseId + "/logs?follow=true");
        assertThat(follow.status()).isEqualTo(200);
        assertThat(follow.nextLine(TIMEOUT)).isEqualTo("[py-cuda-0] hollow container py-cuda started from image jupyter:1");
        assertThat(follow.nextLine(TIMEOUT)).isEqualTo("[py-cuda-0] $ jupyter lab --port 8888");

        // The container runs on; what ends the stream is the lease closing on chain.
        tenant.closeLease(leaseId);

        assertThat(follow.awaitEnd(TIMEOUT)).as("the response ended").isTrue();
    }

    /**
     * Review: the follow's periodic check looked at the lease only, so a certificate the tenant revoked (a leaked key)
     * kept streaming the lease's logs for as long as the lease ran. It ends once the revocation is seen, within the
     * gateway's certificate cache time (30 s here), as any new request would be refused.
     */
    @Test
    void aFollowEndsOnceItsCertificateIsRevoked() throws Exception {
        long leaseId = leaseFor(JUPYTER);
        awaitRunning(createPod("lease-" + leaseId, "py-cuda-0", "py-cuda"));
        ClientIdentity leaked = published(tenant);
        GatewayTls withLeakedKey = new GatewayTls(gateway.port(), gateway.identity().certificate(), leaked);

        GatewayTls.Follow follow = withLeakedKey.follow("/lease/" + leaseId + "/logs?follow=true");
        assertThat(follow.status()).isEqualTo(200);
        assertThat(follow.nextLine(TIMEOUT)).startsWith("[py-cuda-0] ");
        tenant.revokeCertificate(leaked.fingerprint());

        assertThat(follow.awaitEnd(Duration.ofSeconds(60))).as("the response ended").isTrue();
        assertThat(protocol.reader().requireLease(leaseId).isActive()).as("the lease runs on").isTrue();
    }

    /**
     * Review: every followed log stream holds a thread and an API server stream per pod, without limit, so one tenant
     * could open thousands. A lease has at most four open at once; a fifth is refused with 429 until one closes.
     */
    @Test
    void aLeaseHasAtMostFourFollowedLogStreamsOpen() throws Exception {
        long leaseId = leaseFor(JUPYTER);
        awaitRunning(createPod("lease-" + leaseId, "py-cuda-0", "py-cuda"));
        String path = "/lease/" + leaseId + "/logs?follow=true";
        List<GatewayTls.Follow> open = new java.util.ArrayList<>();
        for (int i = 0; i < LeaseEndpoints.MAX_FOLLOWS_PER_LEASE; i++) {
            open.add(asTenant.follow(path));
            assertThat(open.get(i).status()).isEqualTo(200);
        }

        GatewayTls.Reply fifth = asTenant.get(path);

        assertThat(fifth.status()).as(fifth.body()).isEqualTo(429);
        assertThat(json(fifth).get("error").asText()).isEqualTo("TooManyLogFollows");
        open.remove(0).close();
        org.awaitility.Awaitility.await().atMost(TIMEOUT).until(() -> {
            GatewayTls.Follow again = asTenant.follow(path);
            if (again.status() != 200) {
                again.close();
                return false;
            }
            open.add(again);
            return true;
        });
        open.forEach(GatewayTls.Follow::close);
    }

    @Test
    void aPodNotScheduledYetGetsANoteAndTheOtherPodsStillTheirLogs() throws Exception {
        long leaseId = leaseFor(JUPYTER);
        String namespace = "lease-" + leaseId;
        createUnschedulablePod(namespace, "py-cuda-0");
        awaitRunning(createPod(namespace, "py-cuda-1", "py-cuda"));
        String started = "[py-cuda-1] hollow container py-cuda started from image jupyter:1\n[py-cuda-1] $ jupyter lab --port 8888\n";

        GatewayTls.Reply tail = asTenant.get("/lease/" + leaseId + "/logs");
        GatewayTls.Follow followed = asTenant.follow("/lease/" + leaseId + "/logs?follow=true");

        assertThat(tail.status()).as(tail.body()).isEqualTo(200);
        // The API server answers the log of a pod without a node with an empty 200: the note is the gateway's.
        String note = "[py-cuda-0] (no log: pod \"py-cuda-0\" has not started: it is not scheduled on a node yet)";
        assertThat(tail.body()).isEqualTo(note + "\n" + started);
        assertThat(followed.nextLine(TIMEOUT)).isEqualTo(note);
        assertThat(followed.nextLine(TIMEOUT) + "\n" + followed.nextLine(TIMEOUT) + "\n").isEqualTo(started);
        followed.close();
    }

    /**
     * Review: a follow whose pods had all not started ended its response at once, but its lease check was set after
     * that stop and so never cancelled: one chain read every 5 s for ever, for each such request. An ended follow
     * stops its check.
     */
    @Test
    void aFollowOfPodsThatHaveNotStartedEndsAndStopsCheckingTheLease() throws Exception {
        long leaseId = leaseFor(JUPYTER);
        String namespace = "lease-" + leaseId;
        createUnschedulablePod(namespace, "py-cuda-0");
        int before = gateway.followsCheckingTheChain(); // another test's follow may still be ending

        GatewayTls.Follow followed = asTenant.follow("/lease/" + leaseId + "/logs?follow=true");

        assertThat(followed.nextLine(TIMEOUT)).startsWith("[py-cuda-0] (no log: pod \"py-cuda-0\" has not started");
        assertThat(followed.awaitEnd(TIMEOUT)).as("the response ended").isTrue();
        org.awaitility.Awaitility.await().atMost(TIMEOUT).untilAsserted(() ->
                assertThat(gateway.followsCheckingTheChain()).as("follows still reading the lease on chain").isLessThanOrEqualTo(before));
    }

    @Test
    void deleteRemovesTheWorkloadWhileTheLeaseIsStillActiveOnChain() throws Exception {
        long leaseId = leaseFor(PRIVATE_LLM);
        assertThat(asTenant.putManifest(leaseId, PRIVATE_LLM).status()).isEqualTo(202);

        GatewayTls.Reply reply = asTenant.delete("/lease/" + leaseId);

        assertThat(reply.status()).as(reply.body()).isEqualTo(202);
        assertThat(deploymentOf(leaseId)).isNull();
        assertThat(client.secrets().inNamespace("lease-" + leaseId).withLabel("app.kubernetes.io/managed-by").list().getItems())
                .as("the manifest's Secrets (the namespace's ServiceAccount token stays)").isEmpty();
        assertThat(client.namespaces().withName("lease-" + leaseId).get()).as("the reconciler owns the namespace").isNotNull();
    }

    @Test
    void deleteOfALeaseClosedOnChainMarksTheSpheronLeaseClosed() throws Exception {
        long leaseId = leaseFor(JUPYTER);
        markRunning(leaseId);
        tenant.closeLease(leaseId);

        GatewayTls.Reply reply = asTenant.delete("/lease/" + leaseId);

        assertThat(reply.status()).isEqualTo(202);
        SpheronLease lease = client.resources(SpheronLease.class).withName("lease-" + leaseId).get();
        assertThat(lease.getSpec().getChainState()).isEqualTo(SpheronLeaseSpec.ChainState.Closed);
    }

    @Test
    void providerStatusCountsGpusPerModelForAnyCertificate() throws Exception {
        // A pod of the provider's own holding 3 of gpu-a's H100s, placed by the scheduler.
        client.pods().inNamespace("default").resource(new PodBuilder()
                .withNewMetadata().withName("training").withNamespace("default").endMetadata()
                .withNewSpec().withNodeSelector(Map.of("kubernetes.io/hostname", "gpu-a"))
                .addNewContainer().withName("main").withImage("trainer")
                .withNewResources().addToLimits("nvidia.com/gpu", new Quantity("3")).endResources()
                .endContainer().endSpec()
                .build()).create();
        awaitRunning("default", "training");

        GatewayTls.Reply reply = asStranger.get("/status");

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode body = json(reply);
        assertThat(body.get("provider").asText()).isEqualTo(provider.address().toLowerCase());
        assertThat(body.get("region").asText()).isEqualTo("us-east");
        assertThat(body.get("zone").asText()).isEqualTo("us-east-1a");
        assertThat(body.get("activeLeases").asInt()).isPositive();
        JsonNode gpus = body.get("gpus");
        assertThat(gpus).hasSize(2);
        JsonNode a100 = gpus.get(0);
        assertThat(a100.get("model").asText()).isEqualTo("A100");
        assertThat(a100.get("total").asInt()).isEqualTo(2);
        assertThat(a100.get("available").asInt()).isEqualTo(2);
        JsonNode h100 = gpus.get(1);
        assertThat(h100.get("model").asText()).isEqualTo("H100");
        assertThat(h100.get("product").asText()).isEqualTo("NVIDIA-H100-80GB-HBM3");
        assertThat(h100.get("total").asInt()).isEqualTo(8);
        assertThat(h100.get("available").asInt()).isEqualTo(5);
    }

    @Test
    void anUnknownPathIsAJsonNotFound() throws Exception {
        GatewayTls.Reply reply = asTenant.get("/leases");

        assertThat(reply.status()).isEqualTo(404);
        assertThat(json(reply).get("error").asText()).isEqualTo("NotFound");
    }

    private static void markRunning(long leaseId) {
        mirror(leaseId, SpheronLeaseStatus.Phase.Running, "all 1 replicas ready");
    }

    /** The SpheronLease as the watcher and reconciler leave it: in {@code phase}, its namespace ready. */
    private static void mirror(long leaseId, SpheronLeaseStatus.Phase phase, String message) {
        if (client.resources(SpheronLease.class).withName(SpheronLease.nameFor(leaseId)).get() == null) {
            SpheronLeaseSpec spec = new SpheronLeaseSpec();
            spec.setLeaseId(leaseId);
            spec.setOrderId(1);
            spec.setTenant(tenant.address());
            spec.setProvider(provider.address());
            spec.setPricePerHour("3000000");
            spec.setManifestHash(ManifestParser.parse(JUPYTER).canonicalHash());
            spec.setResources(new LeaseResources(8000, 16384, 204800, 1, "H100"));
            SpheronLease lease = new SpheronLease();
            lease.getMetadata().setName(SpheronLease.nameFor(leaseId));
            lease.setSpec(spec);
            client.resources(SpheronLease.class).resource(lease).create();
        }
        client.resources(SpheronLease.class).withName(SpheronLease.nameFor(leaseId)).editStatus(l -> {
            SpheronLeaseStatus status = new SpheronLeaseStatus();
            status.setPhase(phase);
            status.setMessage(message);
            Condition.set(status.getConditions(), SpheronLeaseReconciler.NAMESPACE_READY, true, "Created",
                    "namespace, quota and network policies are in place", 1L);
            l.setStatus(status);
            return l;
        });
    }

    /** A pod of {@code service} (by the label the operator sets) whose container runs {@code jupyter lab}. */
    private static String[] createPod(String namespace, String name, String service) {
        client.pods().inNamespace(namespace).resource(new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).addToLabels("openspheron.org/service", service)
                .endMetadata()
                .withNewSpec().addNewContainer().withName(service).withImage("jupyter:1")
                .withCommand("jupyter", "lab", "--port", "8888").endContainer().endSpec()
                .build()).create();
        return new String[]{namespace, name};
    }

    private static void awaitRunning(String... namespaceAndName) {
        client.pods().inNamespace(namespaceAndName[0]).withName(namespaceAndName[1])
                .waitUntilCondition(p -> p != null && "Running".equals(p.getStatus().getPhase()), TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    private static ManifestException catchManifestException(byte[] yaml) {
        try {
            ManifestParser.parse(yaml);
        } catch (ManifestException e) {
            return e;
        }
        throw new AssertionError("the manifest was expected to be invalid");
    }
}
