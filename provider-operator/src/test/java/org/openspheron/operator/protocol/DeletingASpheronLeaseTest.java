package org.openspheron.operator.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.chain.ProtocolFixture.gpuOrder;
import static org.openspheron.chain.ProtocolFixture.tokens;
import static org.openspheron.operator.Manifests.deployment;
import static org.openspheron.operator.Manifests.service;

import io.fabric8.kubernetes.api.model.Namespace;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.config.SmallRyeConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openspheron.operator.SettingsFromKeys;
import org.openspheron.chain.LeaseState;
import org.openspheron.chain.ProtocolFixture;
import org.openspheron.chain.ProtocolReader;
import org.openspheron.chain.TenantClient;
import org.openspheron.operator.OperatorFixture;
import org.openspheron.operator.app.OperatorConfig.ExposedServiceType;
import org.openspheron.operator.config.ChainSettings;
import org.openspheron.operator.config.PricingSettings;
import org.openspheron.operator.config.ProtocolChain;
import org.openspheron.operator.config.ProtocolSettings;
import org.openspheron.operator.config.ProviderSettings;
import org.openspheron.operator.lease.LeaseChainSide;
import org.openspheron.operator.lease.SpheronLease;
import org.openspheron.operator.lease.SpheronLeaseStatus.Phase;
import org.openspheron.operator.bidding.ProviderCapabilities;

/**
 * What deleting a SpheronLease does to a paid lease, with everything real: the operator's reconcilers on a real
 * control plane (garbage collector and namespace controller included), the provider node as the application wires
 * it (its lease watcher mirroring from a real anvil chain every 200 ms) and the chain side of the finalizer between
 * them. The node wins each lease by bidding on the test's order, like in production.
 */
class DeletingASpheronLeaseTest {
    private static OperatorFixture fixture;
    private static ProtocolFixture protocol;
    private static ProtocolChain chain;
    private static ProviderNode node;
    private static volatile LeaseChainSide chainSide;

    @BeforeAll
    static void start() {
        // The reconciler is built before the node it asks, which needs the fixture's cluster: forwarded once both exist.
        fixture = OperatorFixture.start(OperatorFixture.NODES, ExposedServiceType.NodePort, Optional.empty(), new LeaseChainSide() {
            @Override
            public boolean activeOnChain(SpheronLease lease) throws Exception {
                return chainSide.activeOnChain(lease);
            }

            @Override
            public void leaseRemoved(SpheronLease lease) throws Exception {
                chainSide.leaseRemoved(lease);
            }
        });
        protocol = ProtocolFixture.start();
        node = node();
        chainSide = new ChainLeaseSide(node);
        node.onStart(null);
        String me = protocol.providerKey(0).getAddress();
        fixture.awaitValue(() -> protocol.reader().provider(me).isPresent(), registered -> registered);
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.onStop(null);
            chain.close(null);
        }
        if (protocol != null) {
            protocol.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void aPlainDeleteOfTheObjectDoesNotGiveUpAPaidLease() {
        long leaseId = runningLease();
        String name = SpheronLease.nameFor(leaseId);
        SpheronLease before = read(leaseId);
        String namespaceUid = namespace(name).getMetadata().getUid();
        List<String> pods = podUids(name);

        fixture.client.resources(SpheronLease.class).withName(name).delete();

        SpheronLease recreated = fixture.awaitValue(() -> read(leaseId),
                l -> !l.getMetadata().getUid().equals(before.getMetadata().getUid()) && l.getStatus() != null
                        && l.getStatus().getPhase() == Phase.Running && Boolean.TRUE.equals(l.getStatus().getConfirmedOnChain()));
        assertThat(recreated.getSpec().getLeaseId()).isEqualTo(leaseId);
        assertThat(protocol.reader().requireLease(leaseId).state()).as("still open and paid").isEqualTo(LeaseState.ACTIVE);
        Namespace namespace = namespace(name);
        assertThat(namespace.getMetadata().getUid()).as("the same namespace").isEqualTo(namespaceUid);
        assertThat(namespace.getMetadata().getDeletionTimestamp()).isNull();
        assertThat(podUids(name)).as("the tenant's pods, not restarted").isEqualTo(pods);
    }

    @Test
    void deletingWithTheGiveUpMarkClosesTheLeaseOnChainAndRemovesItsNamespace() {
        long leaseId = runningLease();
        String name = SpheronLease.nameFor(leaseId);

        fixture.client.resources(SpheronLease.class).withName(name).edit(l -> {
            l.getMetadata().setAnnotations(Map.of(SpheronLease.GIVE_UP, "true"));
            return l;
        });
        fixture.client.resources(SpheronLease.class).withName(name).delete();

        fixture.awaitValue(() -> protocol.reader().requireLease(leaseId).state(), state -> state == LeaseState.CLOSED);
        fixture.awaitValue(() -> fixture.client.namespaces().withName(name).get() == null, gone -> gone);
        assertThat(protocol.reader().activeLeasesOf(protocol.providerKey(0).getAddress())).doesNotContain(leaseId);
        assertThat(read(leaseId)).as("not mirrored back").isNull();
    }

    /** A lease the node won for a one-H100 order, with the tenant's workload running and confirmed on chain. */
    private static long runningLease() {
        ProtocolReader reader = protocol.reader();
        TenantClient tenant = protocol.tenant(0);
        String me = protocol.providerKey(0).getAddress();
        long orderId = tenant.createOrder(gpuOrder(1, "H100", "us-east", tokens(3)), tokens(10));
        int bid = fixture.awaitValue(() -> indexOfBidBy(reader, orderId, me), index -> index >= 0);
        protocol.closeBidWindow(orderId);
        long leaseId = protocol.matchWithQuorum(orderId, bid, protocol.config().threshold());
        String name = SpheronLease.nameFor(leaseId);
        fixture.awaitValue(() -> read(leaseId), l -> l.getStatus() != null && l.getStatus().getPhase() == Phase.PendingManifest);
        // What the gateway creates once the tenant sent the manifest.
        fixture.create(deployment(name, "workload", leaseId, service("llm", "vllm/vllm-openai:v0.6", 1, "H100", 8000)));
        fixture.awaitValue(() -> read(leaseId), l -> l.getStatus() != null && l.getStatus().getPhase() == Phase.Running
                && Boolean.TRUE.equals(l.getStatus().getConfirmedOnChain()));
        assertThat(reader.requireLease(leaseId).isConfirmed()).isTrue();
        return leaseId;
    }

    private static int indexOfBidBy(ProtocolReader reader, long orderId, String provider) {
        var bids = reader.bids(orderId);
        for (int i = 0; i < bids.size(); i++) {
            if (bids.get(i).provider().equalsIgnoreCase(provider)) {
                return i;
            }
        }
        return -1;
    }

    private static SpheronLease read(long leaseId) {
        return fixture.client.resources(SpheronLease.class).withName(SpheronLease.nameFor(leaseId)).get();
    }

    private static Namespace namespace(String name) {
        return fixture.client.namespaces().withName(name).get();
    }

    private static List<String> podUids(String namespace) {
        return fixture.awaitValue(() -> fixture.client.pods().inNamespace(namespace).list().getItems(), pods -> !pods.isEmpty())
                .stream().map(p -> p.getMetadata().getUid()).sorted().toList();
    }

    /** The provider node from configuration keys, as ProviderNodeTest builds it, on the fixture's cluster. */
    private static ProviderNode node() {
        Map<String, String> keys = ProviderNodeTest.chainKeys(protocol);
        keys.putAll(Map.of(
                "spheron.provider.region", "us-east",
                "spheron.provider.zone", "us-east-1a",
                "spheron.provider.gateway-url", "https://gpu.example:8443",
                "spheron.pricing.gpu.H100", "2.50"));
        SmallRyeConfig config = SettingsFromKeys.of(keys);
        chain = SettingsFromKeys.protocolChain(config);
        return new ProviderNode(config.getConfigMapping(ProviderSettings.class), config.getConfigMapping(ChainSettings.class),
                config.getConfigMapping(ProtocolSettings.class), config.getConfigMapping(PricingSettings.class),
                chain, fixture.client, new SimpleMeterRegistry(), fixture.inventory,
                ProviderNodeTest.leadingAlone(), ProviderCapabilities.DEFAULT_STORAGE);
    }
}
