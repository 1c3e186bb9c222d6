package org.openspheron.operator.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.chain.ProtocolFixture.gpuOrder;
import static org.openspheron.chain.ProtocolFixture.tokens;

import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.config.SmallRyeConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openspheron.operator.SettingsFromKeys;
import org.openspheron.chain.ProtocolFixture;
import org.openspheron.chain.ProtocolReader;
import org.openspheron.chain.TenantClient;
import org.openspheron.chain.identity.ClientIdentity;
import org.openspheron.devnet.DevCluster;
import org.openspheron.operator.inventory.ClusterInventory;
import org.openspheron.devnet.GpuNode;
import org.openspheron.operator.config.ChainSettings;
import org.openspheron.operator.config.PricingSettings;
import org.openspheron.operator.config.ProtocolChain;
import org.openspheron.operator.config.ProtocolSettings;
import org.openspheron.operator.config.ProviderSettings;
import org.openspheron.operator.gateway.GatewayStarted;
import org.openspheron.operator.leadership.Leadership;
import org.openspheron.operator.lease.SpheronLease;
import org.openspheron.operator.bidding.ProviderCapabilities;
import org.web3j.utils.Numeric;

/**
 * The provider node as the application wires it, from configuration keys to the chain and the cluster: it
 * registers, publishes its gateway certificate, bids on its own, mirrors the won lease, confirms it once the reconciler reports Running, and is
 * paid. Against a real anvil chain and a real Kubernetes control plane (one for the class, with the generated CRDs).
 */
class ProviderNodeTest {
    private static DevCluster cluster;
    private static ClusterInventory inventory;
    private ProtocolFixture protocol;
    private ProviderNode node;
    private ProtocolChain chain;

    @BeforeAll
    static void startCluster() {
        cluster = DevCluster.start(List.of(
                new GpuNode("gpu-a100", "NVIDIA-A100-SXM4-80GB", 2, 32, 256, "us-east-1a"),
                new GpuNode("gpu-h100", "NVIDIA-H100-80GB-HBM3", 1, 32, 256, "us-east-1a")));
        cluster.applyDirectory(Path.of("target", "crds"));
        inventory = new ClusterInventory(cluster.client());
    }

    @AfterAll
    static void stopCluster() {
        if (inventory != null) {
            inventory.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void startChain() {
        protocol = ProtocolFixture.start();
    }

    /** A fresh chain per test reuses lease ids, so the SpheronLeases this test's node mirrored go with it. */
    @AfterEach
    void stop() {
        if (node != null) {
            node.onStop(null);
            chain.close(null);
            node = null;
        }
        protocol.close();
        cluster.client().resources(SpheronLease.class).delete();
        await("the SpheronLeases deleted", () -> cluster.client().resources(SpheronLease.class).list().getItems().isEmpty());
    }

    @Test
    void theConfiguredNodeRegistersBidsMirrorsConfirmsAndGetsPaid() {
        Map<String, String> keys = chainKeys(protocol);
        keys.putAll(Map.of(
                "spheron.provider.region", "us-east",
                "spheron.provider.zone", "us-east-1a",
                "spheron.provider.gateway-url", "https://gpu.example:8443",
                "spheron.provider.stake", "120.5",
                "spheron.provider.withdraw-interval", "500ms",
                "spheron.provider.withdraw-threshold", "0.5",
                "spheron.pricing.gpu.H100", "2.50",
                "spheron.pricing.gpu.a100", "1.20"));
        // New blocks from anvil's newHeads, and a poll so slow that the flow below finishes in time only if the
        // subscription wakes the bid and lease duties.
        keys.put("spheron.chain.ws-url", protocol.chain().rpcUrl().replaceFirst("^http", "ws"));
        keys.put("spheron.chain.poll-interval", "5m");
        node = node(keys);
        String me = protocol.providerKey(0).getAddress();
        ProtocolReader reader = protocol.reader();
        TenantClient tenant = protocol.tenant(0);

        node.onStart(null);

        await("registration", () -> reader.provider(me).isPresent());
        ClientIdentity gateway = ClientIdentity.create(me, List.of("127.0.0.1"), Duration.ofDays(365));
        node.onGatewayStarted(new GatewayStarted(gateway));
        await("the gateway certificate published for users to pin",
                () -> reader.certificateValid(me, gateway.fingerprint()));
        assertThat(reader.provider(me).orElseThrow().stake()).isEqualTo(tokens(120).add(tokens(1).divide(java.math.BigInteger.TWO)));
        long orderId = tenant.createOrder(gpuOrder(1, "H100", "us-east", tokens(3)), tokens(10));
        await("a bid", () -> reader.bids(orderId).stream().anyMatch(b -> b.provider().equalsIgnoreCase(me)));

        protocol.closeBidWindow(orderId);
        long leaseId = protocol.matchWithQuorum(orderId, 0, 2);
        var leases = cluster.client().resources(SpheronLease.class);
        await("the SpheronLease", () -> leases.withName(SpheronLease.nameFor(leaseId)).get() != null);

        leases.withName(SpheronLease.nameFor(leaseId)).subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"phase\":\"Running\"}}");
        await("the confirmation", () -> reader.requireLease(leaseId).isConfirmed()
                && Boolean.TRUE.equals(leases.withName(SpheronLease.nameFor(leaseId)).get().getStatus().getConfirmedOnChain()));

        protocol.chain().increaseTime(Duration.ofHours(1));
        protocol.chain().mine(1);
        await("a withdrawal", () -> reader.requireLease(leaseId).paid().signum() > 0);
    }

    /**
     * Review: every duty ran on one thread, so a long round of withdrawals or bids (a receipt awaited per
     * transaction, up to minutes for a stuck one) held back the confirmation or decline of a lease nearing its
     * deadline, and a lease carried past it is slashed. Lease mirroring has a thread of its own: with the other
     * duties' thread busy, a workload that comes up is still confirmed. Fails when the duties share the thread.
     */
    @Test
    void aLeaseIsConfirmedWhileTheOtherDutiesAreBusy() throws Exception {
        Map<String, String> keys = chainKeys(protocol);
        keys.putAll(Map.of(
                "spheron.provider.region", "us-east",
                "spheron.provider.gateway-url", "https://gpu.example:8443",
                "spheron.provider.stake", "120",
                "spheron.pricing.gpu.H100", "2.50",
                "spheron.chain.poll-interval", "200ms"));
        node = node(keys);
        String me = protocol.providerKey(0).getAddress();
        ProtocolReader reader = protocol.reader();
        node.onStart(null);
        await("registration", () -> reader.provider(me).isPresent());
        long orderId = protocol.tenant(0).createOrder(gpuOrder(1, "H100", "us-east", tokens(3)), tokens(10));
        await("a bid", () -> reader.bids(orderId).stream().anyMatch(b -> b.provider().equalsIgnoreCase(me)));
        protocol.closeBidWindow(orderId);
        long leaseId = protocol.matchWithQuorum(orderId, 0, 2);
        var leases = cluster.client().resources(SpheronLease.class);
        await("the SpheronLease", () -> leases.withName(SpheronLease.nameFor(leaseId)).get() != null);

        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(1);
        node.runAmongOtherDuties(() -> {
            busy.countDown();
            try {
                release.await(2, TimeUnit.MINUTES); // a withdrawal round waiting on its receipts
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            assertThat(busy.await(30, TimeUnit.SECONDS)).as("the other duties' thread is busy").isTrue();
            leases.withName(SpheronLease.nameFor(leaseId)).subresource("status")
                    .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"phase\":\"Running\"}}");

            await("the confirmation while the other duties are busy", () -> reader.requireLease(leaseId).isConfirmed());
            assertThat(release.getCount()).as("still busy").isEqualTo(1);
        } finally {
            release.countDown();
        }
    }

    private ProviderNode node(Map<String, String> keys) {
        SmallRyeConfig config = SettingsFromKeys.of(keys);
        chain = SettingsFromKeys.protocolChain(config);
        return new ProviderNode(config.getConfigMapping(ProviderSettings.class), config.getConfigMapping(ChainSettings.class),
                config.getConfigMapping(ProtocolSettings.class), config.getConfigMapping(PricingSettings.class),
                chain, cluster.client(), new SimpleMeterRegistry(), inventory, leadingAlone(),
                ProviderCapabilities.DEFAULT_STORAGE);
    }

    /** The leadership of a node that runs alone: its duties start as soon as it starts. */
    static Leadership leadingAlone() {
        Leadership leadership = new Leadership();
        leadership.elected();
        return leadership;
    }

    /** Polls: the node's duties run on their own thread, the control plane shares two cores with the chain. */
    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** The configuration keys that point a provider node at {@code protocol}'s chain, as provider 0. */
    static Map<String, String> chainKeys(ProtocolFixture protocol) {
        var a = protocol.addresses();
        return new HashMap<>(Map.of(
                "spheron.chain.rpc-url", protocol.chain().rpcUrl(),
                "spheron.chain.poll-interval", "200ms",
                "spheron.protocol.token", a.token(), "spheron.protocol.registry", a.registry(),
                "spheron.protocol.orders", a.orders(), "spheron.protocol.matchmakers", a.matchmakers(),
                "spheron.protocol.certificates", a.certificates(),
                "spheron.provider.key", Numeric.toHexStringWithPrefixZeroPadded(
                        protocol.providerKey(0).getEcKeyPair().getPrivateKey(), 64)));
    }
}
