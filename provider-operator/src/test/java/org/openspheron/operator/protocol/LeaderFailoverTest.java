package org.openspheron.operator.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.chain.ProtocolFixture.gpuOrder;
import static org.openspheron.chain.ProtocolFixture.tokens;
import static org.openspheron.operator.Manifests.deployment;
import static org.openspheron.operator.Manifests.service;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.config.SmallRyeConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openspheron.operator.SettingsFromKeys;
import org.openspheron.chain.ProtocolFixture;
import org.openspheron.chain.OrderState;
import org.openspheron.chain.ProtocolReader;
import org.openspheron.devnet.DevCluster;
import org.openspheron.devnet.GpuNode;
import org.openspheron.operator.OperatorFixture;
import org.openspheron.operator.app.OperatorConfig.ExposedServiceType;
import org.openspheron.operator.app.OperatorLifecycle;
import org.openspheron.operator.config.ChainSettings;
import org.openspheron.operator.config.PricingSettings;
import org.openspheron.operator.config.ProtocolChain;
import org.openspheron.operator.config.ProtocolSettings;
import org.openspheron.operator.config.ProviderSettings;
import org.openspheron.operator.deployment.GPUDeploymentReconciler;
import org.openspheron.operator.inventory.ClusterInventory;
import org.openspheron.operator.inventory.PodTolerations;
import org.openspheron.operator.leadership.LeaseElection;
import org.openspheron.operator.leadership.Leadership;
import org.openspheron.operator.lease.PodSecurityLevel;
import org.openspheron.operator.lease.SpheronLease;
import org.openspheron.operator.lease.SpheronLeaseReconciler;
import org.openspheron.operator.lease.SpheronLeaseSpec.ChainState;
import org.openspheron.operator.bidding.ProviderCapabilities;
import org.web3j.crypto.Hash;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * Two replicas of the provider operator with one provider key, on one real Kubernetes control plane and one anvil
 * chain, each wired as the application wires itself with leader election on (JOSDK's, on a Lease in
 * {@code spheron-system}, under the operator's own ServiceAccount and RBAC): only the Lease's holder reconciles and
 * does chain duties; when it dies mid-flow the other takes over within the Lease's duration and finishes the flow,
 * and nothing is sent twice. Short Lease timings keep it fast.
 */
class LeaderFailoverTest {
    private static final String NAMESPACE = "spheron-system";
    private static final Duration LEASE = Duration.ofSeconds(6);
    private static final Duration RENEW_DEADLINE = Duration.ofSeconds(4);
    private static final Duration RETRY = Duration.ofSeconds(1);
    /** The longest a follower may take to notice an expired Lease: its retry period with fabric8's jitter (x2.2). */
    private static final Duration NOTICE = RETRY.multipliedBy(22).dividedBy(10);
    /** Slack for a 2-core machine shared with other builds. */
    private static final Duration SLACK = Duration.ofSeconds(3);

    private static DevCluster cluster;
    private static int leaseNames;
    private ProtocolFixture protocol;
    private String leaseName;
    private final List<Replica> replicas = new ArrayList<>();

    @BeforeAll
    static void startCluster() {
        cluster = DevCluster.start(List.of(
                new GpuNode("gpu-a100", "NVIDIA-A100-SXM4-80GB", 2, 32, 256, "us-east-1a"),
                new GpuNode("gpu-h100", "NVIDIA-H100-80GB-HBM3", 1, 32, 256, "us-east-1a")));
        cluster.applyDirectory(OperatorFixture.generatedCrds());
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void start() {
        protocol = ProtocolFixture.start();
        // A Lease per test: a killed replica's Lease outlives its test.
        leaseName = "spheron-provider-operator-" + ++leaseNames;
    }

    @AfterEach
    void stop() {
        replicas.forEach(Replica::close);
        protocol.close();
    }

    @Test
    void onlyTheLeaderDoesChainDutiesAndLeadersKilledMidFlowLoseAndRepeatNothing() {
        Replica first = replica("replica-a");
        Replica second = replica("replica-b");
        String me = protocol.providerKey(0).getAddress();
        ProtocolReader reader = protocol.reader();
        Replica leader = awaitLeader(first, second);
        Replica other = leader == first ? second : first;
        await("registration by the leader", () -> reader.provider(me).isPresent());
        long orderId = protocol.tenant(0).createOrder(gpuOrder(1, "A100", "us-east", tokens(3)), tokens(10));
        await("a bid", () -> reader.bids(orderId).stream().anyMatch(b -> b.provider().equalsIgnoreCase(me)));
        assertFollowing(other);

        // The leader dies while the order it bid on is open; Kubernetes starts a replacement. Either may lead next.
        assertThat(reader.requireOrder(orderId).state()).isEqualTo(OrderState.OPEN);
        long killed = leader.kill();
        Replica replacement = replica("replica-c");
        Replica next = awaitTakeover(killed, other, replacement);
        Replica last = next == other ? replacement : other;
        protocol.closeBidWindow(orderId);
        long leaseId = protocol.matchWithQuorum(orderId, 0, 2);
        var leases = cluster.client().resources(SpheronLease.class);
        await("the lease mirrored and its namespace made by the new leader",
                () -> leases.withName(SpheronLease.nameFor(leaseId)).get() != null
                        && cluster.client().namespaces().withName("lease-" + leaseId).get() != null);
        assertFollowing(last);

        // That leader dies too, before the tenant's workload is up: the lease is won and not confirmed yet.
        killed = next.kill();
        cluster.client().resource(deployment("lease-" + leaseId, "workload", leaseId,
                service("jupyter", "jupyter/base-notebook", 1, "A100", 8888))).create();
        awaitTakeover(killed, last);
        await("the lease confirmed by the third leader", () -> reader.requireLease(leaseId).isConfirmed()
                && Boolean.TRUE.equals(leases.withName(SpheronLease.nameFor(leaseId)).get().getStatus().getConfirmedOnChain()));

        assertThat(reader.bids(orderId)).filteredOn(b -> b.provider().equalsIgnoreCase(me)).hasSize(1);
        List<String> sent = callsFrom(me);
        assertThat(sent).filteredOn(call -> isCall(call, "submitBid(uint256,uint256)", orderId)).hasSize(1);
        assertThat(sent).filteredOn(call -> isCall(call, "confirmDeployment(uint256)", leaseId)).hasSize(1);
        assertThat(leases.withName(SpheronLease.nameFor(leaseId)).get().getSpec().getChainState()).isEqualTo(ChainState.Active);
        assertThat(last.lost).as("the last leader lost its leadership").hasValue(0);
    }

    @Test
    void aStoppedLeaderHandsTheLeaseOverAtOnce() {
        Replica first = replica("replica-a");
        Replica second = replica("replica-b");
        Replica leader = awaitLeader(first, second);
        Replica follower = leader == first ? second : first;
        String me = protocol.providerKey(0).getAddress();
        await("registration by the leader", () -> protocol.reader().provider(me).isPresent());

        long stopped = System.nanoTime();
        leader.stopCleanly();

        await("the follower leading", follower.leadership::leading);
        Duration takeover = Duration.ofNanos(System.nanoTime() - stopped);
        assertThat(takeover).as("takeover after a clean stop, well within the Lease").isLessThan(NOTICE.plus(SLACK));
        assertThat(leader.lost).as("a clean stop counted as a lost leadership (the app would exit non-zero)").hasValue(0);
        await("the new leader connected to the chain", () -> follower.node.registration().isPresent());
    }

    @Test
    void aLeaderWhoseLeaseIsTakenStopsItsChainDutiesAndExits() {
        Replica only = replica("replica-a");
        awaitLeader(only);
        await("connected to the chain", () -> only.node.registration().isPresent());

        // Someone else holds the Lease now (a partition healed after the Lease expired, a replica with a stale clock):
        // the next renewal fails.
        String now = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX"));
        cluster.client().leases().inNamespace(NAMESPACE).withName(leaseName).patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\":{\"holderIdentity\":\"someone-else\",\"renewTime\":\"" + now + "\",\"leaseDurationSeconds\":60}}");

        await("the process told to exit", () -> only.lost.get() == 1);
        assertThat(only.leadership.leading()).isFalse();
        assertThat(only.node.registration()).as("the chain side after the loss").isEmpty();
    }

    // --- replicas ---

    /** One replica of the operator as the application wires it, started. */
    private Replica replica(String identity) {
        Replica replica = new Replica(identity);
        replicas.add(replica);
        return replica;
    }

    private final class Replica implements AutoCloseable {
        final String identity;
        final KubernetesClient client = OperatorFixture.serviceAccountClient(cluster);
        final ClusterInventory inventory = new ClusterInventory(client);
        final Leadership leadership = new Leadership();
        final AtomicInteger lost = new AtomicInteger();
        final AtomicInteger reconciles = new AtomicInteger();
        final LeaseElection election;
        final ProtocolChain chain;
        final ProviderNode node;
        final Operator operator;

        Replica(String identity) {
            this.identity = identity;
            election = new LeaseElection(new LeaseElection.Settings(NAMESPACE, leaseName, identity, LEASE, RENEW_DEADLINE,
                    RETRY), leadership, lost::incrementAndGet);
            SmallRyeConfig config = config();
            chain = SettingsFromKeys.protocolChain(config);
            node = new ProviderNode(config.getConfigMapping(ProviderSettings.class), config.getConfigMapping(ChainSettings.class),
                    config.getConfigMapping(ProtocolSettings.class), config.getConfigMapping(PricingSettings.class),
                    chain, client, new SimpleMeterRegistry(), inventory, leadership,
                    ProviderCapabilities.DEFAULT_STORAGE);
            operator = OperatorLifecycle.newOperator(client, 4, new Metrics() {
                @Override
                public void finishedReconciliation(HasMetadata resource, Map<String, Object> metadata) {
                    reconciles.incrementAndGet();
                }
            }, Optional.of(election.configuration()));
            operator.register(new SpheronLeaseReconciler(PodSecurityLevel.baseline, new ChainLeaseSide(node)));
            operator.register(new GPUDeploymentReconciler(ExposedServiceType.NodePort, PodSecurityLevel.baseline,
                    Optional.empty(), Duration.ofMinutes(2), inventory, PodTolerations.DEFAULT, Optional.empty(),
                    org.openspheron.operator.deployment.IngressSettings.DEFAULT));
            node.onStart(null);
            operator.start();
        }

        private SmallRyeConfig config() {
            Map<String, String> keys = ProviderNodeTest.chainKeys(protocol);
            keys.putAll(Map.of(
                    "spheron.provider.region", "us-east",
                    "spheron.provider.zone", "us-east-1a",
                    "spheron.provider.gateway-url", "https://gpu.example:8443",
                    "spheron.provider.stake", "120",
                    "spheron.pricing.gpu.a100", "1.20",
                    "spheron.pricing.gpu.h100", "2.50"));
            return SettingsFromKeys.of(keys);
        }

        /** Dies without a word: nothing more runs, and the Lease stays until it expires. Returns when it died. */
        long kill() {
            node.onStop(null);
            operator.stop();
            return System.nanoTime();
        }

        /** Stops as the application does on SIGTERM: duties first, then the operator, then the Lease handed over. */
        void stopCleanly() {
            election.stepDown();
            operator.stop();
            election.release(client);
        }

        @Override
        public void close() {
            kill();
            chain.close(null);
            inventory.close();
            client.close();
        }
    }

    private Replica awaitLeader(Replica... candidates) {
        await("a leader", () -> List.of(candidates).stream().anyMatch(r -> r.leadership.leading()));
        List<Replica> leading = List.of(candidates).stream().filter(r -> r.leadership.leading()).toList();
        assertThat(leading).as("replicas leading at once").hasSize(1);
        assertThat(holder()).isEqualTo(leading.get(0).identity);
        return leading.get(0);
    }

    /** A replica that does not lead has done nothing on chain and reconciled nothing. */
    private static void assertFollowing(Replica replica) {
        assertThat(replica.leadership.leading()).as("%s leading", replica.identity).isFalse();
        assertThat(replica.node.registration()).as("%s's chain side", replica.identity).isEmpty();
        assertThat(replica.reconciles).as("%s's reconciles", replica.identity).hasValue(0);
    }

    /** Waits for one of {@code candidates} to lead after the leader died at {@code killedAt} (System.nanoTime()). */
    private Replica awaitTakeover(long killedAt, Replica... candidates) {
        await("a new leader", () -> List.of(candidates).stream().anyMatch(r -> r.leadership.leading()));
        Duration takeover = Duration.ofNanos(System.nanoTime() - killedAt);
        assertThat(takeover).as("takeover after the leader died: within the Lease's duration and a retry")
                .isLessThan(LEASE.plus(NOTICE).plus(SLACK));
        return awaitLeader(candidates);
    }

    private String holder() {
        Lease lease = cluster.client().leases().inNamespace(NAMESPACE).withName(leaseName).get();
        return lease == null ? null : lease.getSpec().getHolderIdentity();
    }

    // --- what the provider's key sent ---

    /** The input of every transaction {@code address} sent, in order; each must have succeeded. */
    private List<String> callsFrom(String address) {
        Web3j web3j = protocol.connection().web3j();
        List<String> calls = new ArrayList<>();
        try {
            long latest = web3j.ethBlockNumber().send().getBlockNumber().longValueExact();
            for (long n = 0; n <= latest; n++) {
                EthBlock.Block block = web3j.ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(n)), true)
                        .send().getBlock();
                for (EthBlock.TransactionResult<?> result : block.getTransactions()) {
                    EthBlock.TransactionObject tx = (EthBlock.TransactionObject) result.get();
                    if (!address.equalsIgnoreCase(tx.getFrom())) {
                        continue;
                    }
                    TransactionReceipt receipt = web3j.ethGetTransactionReceipt(tx.getHash()).send()
                            .getTransactionReceipt().orElseThrow();
                    assertThat(receipt.isStatusOK()).as("transaction %s of the provider reverted", tx.getHash()).isTrue();
                    calls.add(tx.getInput());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return calls;
    }

    /** Whether {@code input} calls {@code signature} with {@code firstArgument} as its first (uint256) argument. */
    private static boolean isCall(String input, String signature, long firstArgument) {
        String prefix = Hash.sha3String(signature).substring(0, 10)
                + Numeric.toHexStringNoPrefixZeroPadded(BigInteger.valueOf(firstArgument), 64);
        return input.startsWith(prefix);
    }

    /** Polls: the replicas' duties run on their own threads, the control plane shares two cores with the chain. */
    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + OperatorFixture.TIMEOUT.toNanos();
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
}
