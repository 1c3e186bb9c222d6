package org.openspheron.operator.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openspheron.chain.ContractRevertException;
import org.openspheron.chain.GpuOffer;
import org.openspheron.chain.Provider;
import org.openspheron.chain.ProtocolFixture;
import org.openspheron.chain.ProviderClient;
import org.openspheron.devnet.DevCluster;
import org.openspheron.devnet.GpuNode;
import org.openspheron.operator.OperatorFixture;
import org.openspheron.operator.inventory.ClusterInventory;
import org.web3j.protocol.core.DefaultBlockParameterName;

/**
 * Registration reads the GPUs from the cluster's nodes and keeps the registry entry current. One real control
 * plane serves the class, with an A100 node and an H100 node; a test that adds a node gives it a name of its own
 * and takes it out of the cluster afterwards, so every test sees those two nodes and whatever it added itself.
 */
class RegistrationTest {
    private static final Registration.Profile PROFILE =
            new Registration.Profile("us-east", "us-east-1a", "https://gpu.example:8443", ProtocolFixture.tokens(150));

    @RegisterExtension
    static final ProtocolFixture protocol = ProtocolFixture.start();
    private static int nextProvider;
    private static int nextNode;
    private static DevCluster cluster;

    private final List<String> addedNodes = new ArrayList<>();
    private ProviderClient provider;
    private static ClusterInventory inventory;

    @BeforeAll
    static void startCluster() {
        cluster = DevCluster.start(List.of(
                new GpuNode("gpu-a100", "NVIDIA-A100-SXM4-80GB", 2, 32, 256, "us-east-1a"),
                new GpuNode("gpu-h100", "NVIDIA-H100-80GB-HBM3", 1, 32, 256, "us-east-1a")));
        inventory = new ClusterInventory(cluster.client()).start();
        // Every test reads the starting GPUs through the informers: wait until they saw both nodes' GPUs, or the
        // first test to run may register before the second node's GPUs reached the cache.
        OperatorFixture.awaitGpuModels(inventory, "A100", "H100");
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
    void newProvider() {
        provider = protocol.provider(nextProvider++);
    }

    /** A machine taken out of the cluster: its kubelet stops and its Node object is deleted. */
    @AfterEach
    void removeAddedNodes() {
        for (String name : addedNodes) {
            try {
                cluster.stopNode(name);
            } catch (IllegalStateException notRunning) {
                // its start failed, which that test reports; its Node object may still have registered
            }
            cluster.client().nodes().withName(name).delete();
        }
        for (String name : addedNodes) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> cluster.client().nodes().withName(name).get() == null && !inventorySees(name));
        }
    }

    @Test
    void anUnregisteredProviderRegistersWithTheGpusOfItsNodesAndItsStake() {
        RegistrationResult result = registration(true, Duration.ZERO).keepCurrent();

        assertThat(result.action()).isEqualTo("registered");
        Provider record = protocol.reader().provider(provider.address()).orElseThrow();
        assertThat(record.region()).isEqualTo("us-east");
        assertThat(record.zone()).isEqualTo("us-east-1a");
        assertThat(record.gatewayUrl()).isEqualTo("https://gpu.example:8443");
        assertThat(record.stake()).isEqualTo(ProtocolFixture.tokens(150));
        assertThat(record.gpus()).containsExactlyInAnyOrder(new GpuOffer("A100", 2, 2), new GpuOffer("H100", 1, 1));
        assertThat(record.eligible()).isTrue();
    }

    /**
     * Review: a register that reverted (here a stake below the registry's minimum) sent a new approve on every
     * retry, a paid transaction every few minutes for as long as the operator ran. The stake is approved once; the
     * retries send nothing until the provider fixes its stake.
     */
    @Test
    void aRegisterThatKeepsFailingApprovesItsStakeOnlyOnce() throws Exception {
        Registration.Profile tooLittle = new Registration.Profile(PROFILE.region(), PROFILE.zone(), PROFILE.gatewayUrl(),
                BigInteger.ONE);
        Registration registration = new Registration(protocol.reader(), provider, () -> inventory.read().gpuOffers(),
                tooLittle, true, Duration.ZERO, Clock.systemUTC());

        assertThatThrownBy(registration::keepCurrent).isInstanceOf(ContractRevertException.class);
        BigInteger sent = transactionsSentBy(provider.address());
        assertThatThrownBy(registration::keepCurrent).isInstanceOf(ContractRevertException.class);
        assertThatThrownBy(registration::keepCurrent).isInstanceOf(ContractRevertException.class);

        assertThat(transactionsSentBy(provider.address())).isEqualTo(sent).isEqualTo(BigInteger.ONE);
        assertThat(protocol.reader().provider(provider.address())).isEmpty();
    }

    private BigInteger transactionsSentBy(String address) throws Exception {
        return protocol.chain().web3j().ethGetTransactionCount(address, DefaultBlockParameterName.LATEST).send().getTransactionCount();
    }

    @Test
    void aNewNodeUpdatesTheAttributesOnceAndAnUnchangedClusterSendsNothing() {
        Registration registration = registration(true, Duration.ZERO);
        registration.keepCurrent();
        assertThat(registration.keepCurrent().action()).isEqualTo("unchanged");

        addNode(new GpuNode(nextNodeName("gpu-l40s"), "NVIDIA-L40S", 4, 32, 256, "us-east-1a"));

        assertThat(registration.keepCurrent().action()).isEqualTo("updated");
        assertThat(protocol.reader().provider(provider.address()).orElseThrow().gpus())
                .containsExactlyInAnyOrder(new GpuOffer("A100", 2, 2), new GpuOffer("H100", 1, 1), new GpuOffer("L40S", 4, 4));
        assertThat(registration.keepCurrent().action()).isEqualTo("unchanged");
    }

    @Test
    void changesWithinTheMinimumIntervalWaitButAnExplicitRequestDoesNot() {
        Registration registration = registration(true, Duration.ofHours(1));
        registration.keepCurrent();
        addNode(new GpuNode(nextNodeName("gpu-l40s"), "NVIDIA-L40S", 4, 32, 256, "us-east-1a"));

        assertThat(registration.keepCurrent().action()).isEqualTo("deferred");
        assertThat(protocol.reader().provider(provider.address()).orElseThrow().gpus()).hasSize(2);
        assertThat(registration.registerNow().action()).isEqualTo("updated");
        assertThat(protocol.reader().provider(provider.address()).orElseThrow().gpus()).hasSize(3);
    }

    @Test
    void withoutAutoRegistrationOnlyTheExplicitRequestRegisters() {
        Registration registration = registration(false, Duration.ZERO);

        assertThat(registration.keepCurrent().action()).isEqualTo("not-registered");
        assertThat(protocol.reader().provider(provider.address())).isEmpty();
        assertThat(registration.registerNow().action()).isEqualTo("registered");
        assertThat(protocol.reader().provider(provider.address())).isPresent();
    }

    /** Starts the node (returns once it is Ready with its GPUs advertised) and removes it after the test. */
    private void addNode(GpuNode node) {
        addedNodes.add(node.name());
        cluster.addNode(node);
        // The inventory follows the cluster through its informers: wait until they saw the node's GPUs.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> inventory.read()
                .gpuOffers().stream().anyMatch(o -> node.product().toUpperCase().contains(o.model())));
    }

    private static boolean inventorySees(String node) {
        return inventory.nodes().stream().anyMatch(n -> node.equals(n.getMetadata().getName()));
    }

    /** Node names are never reused: a deleted Node's name could still be held by its stopping kubelet. */
    private static String nextNodeName(String prefix) {
        return prefix + "-" + nextNode++;
    }

    private Registration registration(boolean autoRegister, Duration minInterval) {
        return new Registration(protocol.reader(), provider, () -> inventory.read().gpuOffers(), PROFILE, autoRegister,
                minInterval, Clock.systemUTC());
    }
}
