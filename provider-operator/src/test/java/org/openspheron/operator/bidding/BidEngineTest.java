package org.openspheron.operator.bidding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.openspheron.chain.ProtocolFixture.gpuOrder;
import static org.openspheron.chain.ProtocolFixture.tokens;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openspheron.chain.Bid;
import org.openspheron.chain.GpuOffer;
import org.openspheron.chain.OrderFeatures;
import org.openspheron.chain.OrderSpec;
import org.openspheron.chain.ProtocolFixture;
import org.openspheron.chain.ProtocolReader;
import org.openspheron.chain.ProviderClient;
import org.openspheron.chain.TenantClient;
import org.openspheron.chain.index.IndexOptions;
import org.openspheron.chain.index.ProtocolIndex;
import org.openspheron.devnet.DevCluster;
import org.openspheron.devnet.GpuNode;
import org.openspheron.operator.OperatorFixture;
import org.openspheron.operator.inventory.Claim;
import org.openspheron.operator.inventory.ClusterInventory;
import org.openspheron.operator.inventory.PodTolerations;

/**
 * The bid engine against a real anvil chain and a real Kubernetes control plane with two nodes of two A100s each and
 * an H100 on a third. One cluster serves the class; the chain is reverted after every test, so order and lease ids
 * repeat from test to test, and a test that runs lease pods deletes their namespace before the next one starts.
 */
class BidEngineTest {
    private static final PricingPolicy PRICING = new PricingPolicy(
            Map.of("H100", new BigDecimal("2.50"), "A100", new BigDecimal("1.50")),
            new BigDecimal("0.01"), new BigDecimal("0.005"), BigDecimal.ZERO);
    /** 2.50 + 4 cores x 0.01 + 16 GiB x 0.005, for ProtocolFixture.gpuOrder's 4 cores and 16 GiB. */
    private static final BigInteger ONE_H100_PRICE = BigInteger.valueOf(2_620_000);
    /** The control plane shares two cores with the chain and the build: generous, and polled. */
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @RegisterExtension
    static final ProtocolFixture protocol = ProtocolFixture.start();
    private static int nextProvider;
    private static DevCluster cluster;
    private static KubernetesClient kube;
    /** The operator reads its inventory from informers: a test waits until they saw what it changed. */
    private static ClusterInventory inventory;

    private final List<String> leaseNamespaces = new ArrayList<>();
    private ProtocolReader reader;
    private TenantClient tenant;
    private SimpleMeterRegistry meters;

    @BeforeAll
    static void startCluster() {
        cluster = DevCluster.start(List.of(
                new GpuNode("gpu-a100", "NVIDIA-A100-SXM4-80GB", 2, 32, 256, "us-east-1a"),
                new GpuNode("gpu-a100-b", "NVIDIA-A100-SXM4-80GB", 2, 32, 256, "us-east-1a"),
                new GpuNode("gpu-h100", "NVIDIA-H100-80GB-HBM3", 1, 32, 256, "us-east-1a")));
        kube = cluster.client();
        inventory = new ClusterInventory(kube).start();
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
    void connect() {
        reader = protocol.reader();
        tenant = protocol.tenant(0);
        meters = new SimpleMeterRegistry();
        // Orders of earlier tests stop taking bids, so each test sees only its own.
        protocol.chain().mine(protocol.config().bidWindowBlocks() + 1);
        // The chain is reverted after each test, registrations included: provider accounts are reused, not run out
        // of (past the ten provider accounts come the tenants', whose own transactions the nonces would then race).
        nextProvider = 0;
    }

    /**
     * The next test's leases get the same ids (the chain is reverted), and its inventory counts every pod: the
     * lease namespaces this test made go, with their pods, before it starts.
     */
    @AfterEach
    void deleteLeaseNamespaces() {
        for (String namespace : leaseNamespaces) {
            kube.namespaces().withName(namespace).delete();
        }
        for (String namespace : leaseNamespaces) {
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(250))
                    .until(() -> kube.namespaces().withName(namespace).get() == null
                            && inventory.cachedPod(namespace, "workload").isEmpty());
        }
    }

    @Test
    void bidsOnAnOrderForOneH100AndNotOnOneForFourA100() {
        ProviderClient me = registeredProvider();
        BidEngine engine = engine(me);
        long oneH100 = tenant.createOrder(gpuOrder(1, "H100", "us-east", tokens(3)), tokens(10));
        long fourA100 = tenant.createOrder(gpuOrder(4, "A100", "us-east", tokens(20)), tokens(10));

        engine.reconcile();
        engine.reconcile();

        assertThat(bidsOf(me, oneH100)).singleElement().extracting(Bid::pricePerHour).isEqualTo(ONE_H100_PRICE);
        assertThat(bidsOf(me, fourA100)).isEmpty();
        assertThat(engine.reservations()).containsOnlyKeys(oneH100);
        assertThat(engine.reservations().get(oneH100).node()).isEqualTo("gpu-h100");
        assertThat(meters.counter("spheron.bids.declined", "reason", "gpus").count()).isEqualTo(1.0);
        assertThat(meters.counter("spheron.bids.submitted").count()).isEqualTo(1.0);
    }

    /**
     * Issue 14, "taints and placement": a node the tenant pods cannot land on (a NoSchedule taint they do not
     * tolerate, such as a pool reserved for the provider's own jobs) was counted and bid on. It is not, until the
     * provider configures a toleration for it.
     */
    @Test
    void aNodeTaintedAgainstTenantPodsIsNotBidOnUnlessTheProviderToleratesIt() {
        ProviderClient me = registeredProvider();
        BidEngine engine = engine(me);
        kube.nodes().withName("gpu-h100").edit(n -> new NodeBuilder(n).editSpec().addNewTaint().withKey("dedicated")
                .withValue("training").withEffect("NoSchedule").endTaint().endSpec().build());
        try {
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50)).until(() -> inventory.nodes().stream()
                    .anyMatch(n -> "gpu-h100".equals(n.getMetadata().getName()) && n.getSpec().getTaints() != null
                            && n.getSpec().getTaints().stream().anyMatch(t -> "dedicated".equals(t.getKey()))));
            long oneH100 = tenant.createOrder(gpuOrder(1, "H100", "us-east", tokens(3)), tokens(10));

            engine.reconcile();

            assertThat(bidsOf(me, oneH100)).isEmpty();
            assertThat(meters.counter("spheron.bids.declined", "reason", "no-such-model").count()).isEqualTo(1.0);

            try (ClusterInventory tolerant = new ClusterInventory(kube, PodTolerations.of(List.of("dedicated=training:NoSchedule")))) {
                BidEngine tolerating = new BidEngine(reader, new ProtocolIndex(reader, IndexOptions.DEFAULT), me, tolerant::read, PRICING,
                        new ProviderProfile(me.address(), "us-east", "us-east-1a"), protocol.config().matchWindowBlocks(), meters);
                tolerating.reconcile();
            }
            assertThat(bidsOf(me, oneH100)).singleElement().extracting(Bid::pricePerHour).isEqualTo(ONE_H100_PRICE);
        } finally {
            kube.nodes().withName("gpu-h100").edit(n -> new NodeBuilder(n).editSpec().withTaints(n.getSpec().getTaints().stream()
                    .filter(t -> !"dedicated".equals(t.getKey())).toList()).endSpec().build());
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50)).until(() -> inventory.nodes().stream()
                    .filter(n -> "gpu-h100".equals(n.getMetadata().getName())).allMatch(n -> n.getSpec().getTaints() == null
                            || n.getSpec().getTaints().stream().noneMatch(t -> "dedicated".equals(t.getKey()))));
        }
    }

    @Test
    void theReservationStopsASecondBidOnTheSameGpu() {
        ProviderClient me = registeredProvider();
        BidEngine engine = engine(me);
        long first = tenant.createOrder(gpuOrder(1, "H100", "us-east", tokens(3)), tokens(10));
        long second = tenant.createOrder(gpuOrder(1, "H100", "us-east", tokens(3)), tokens(10));

        engine.reconcile();

        assertThat(bidsOf(me, first)).hasSize(1);
        assertThat(bidsOf(me, second)).isEmpty();
        assertThat(engine.reservations()).containsOnlyKeys(first);
    }

    @Test
    void ordersAboveOurPriceOrInAnotherRequiredRegionGetNoBid() {
        ProviderClient me = registeredProvider();
        BidEngine engine = engine(me);
        long tooCheap = tenant.createOrder(gpuOrder(1, "H100", "us-east", tokens(2)), tokens(10));
        OrderSpec euOnly = gpuOrder(2, "A100", "eu-west", tokens(10));
        long elsewhere = tenant.createOrder(new OrderSpec(euOnly.cpuMilli(), euOnly.memoryMb(), euOnly.storageMb(),
                2, "A100", "eu-west", "", true, euOnly.maxPricePerHour(), 3600, euOnly.manifestHash()), tokens(10));

        engine.reconcile();

        assertThat(bidsOf(me, tooCheap)).isEmpty();
        assertThat(bidsOf(me, elsewhere)).isEmpty();
        assertThat(meters.counter("spheron.bids.declined", "reason", "price").count()).isEqualTo(1.0);
        assertThat(meters.counter("spheron.bids.declined", "reason", "region").count()).isEqualTo(1.0);
    }

    /**
     * Issue 15: a provider that maps only some storage classes won leases whose manifests its gateway then refused
     * (the tenant paid for the held time and ordered again). The order now carries the classes its mounted
     * persistent volumes need, and only a provider serving them bids; a provider mapping none serves every class on
     * the cluster's default StorageClass, as its gateway does. An order needing a feature this version does not know
     * gets no bid from anyone running it.
     */
    @Test
    void anOrderNeedingAStorageClassTheProviderDoesNotMapGetsNoBidFromIt() {
        ProviderClient me = registeredProvider();
        BidEngine mapsBeta2 = new BidEngine(reader, new ProtocolIndex(reader, IndexOptions.DEFAULT), me, inventory::read,
                PRICING, new ProviderProfile(me.address(), "us-east", "us-east-1a"),
                new ProviderCapabilities(Set.of("beta2")), protocol.config().matchWindowBlocks(), meters);
        long beta2 = tenant.createOrder(withFeatures(gpuOrder(1, "H100", "us-east", tokens(3)),
                OrderFeatures.STORAGE_BETA2), tokens(10));
        long beta3 = tenant.createOrder(withFeatures(gpuOrder(1, "A100", "us-east", tokens(10)),
                OrderFeatures.STORAGE_BETA3), tokens(10));
        long futureFeature = tenant.createOrder(withFeatures(gpuOrder(1, "A100", "us-east", tokens(10)), 1L << 20),
                tokens(10));
        assertThat(reader.requireOrder(beta3).spec().features()).isEqualTo(OrderFeatures.STORAGE_BETA3);

        mapsBeta2.reconcile();

        assertThat(bidsOf(me, beta2)).hasSize(1);
        assertThat(bidsOf(me, beta3)).isEmpty();
        assertThat(bidsOf(me, futureFeature)).isEmpty();
        assertThat(meters.counter("spheron.bids.declined", "reason", "storage-class").count()).isEqualTo(1.0);
        assertThat(meters.counter("spheron.bids.declined", "reason", "features").count()).isEqualTo(1.0);

        BidEngine mapsNone = engine(me);
        mapsNone.reconcile();

        assertThat(bidsOf(me, beta3)).hasSize(1);
        assertThat(bidsOf(me, futureFeature)).isEmpty();
    }

    /** Issue 15, TEE: "a TEE order is bid only by a TEE provider", and only by one running that type. */
    @Test
    void aTeeOrderIsBidOnlyByAProviderRunningThatTeeType() {
        ProviderClient me = registeredProvider();
        long snp = tenant.createOrder(withFeatures(gpuOrder(1, "A100", "us-east", tokens(10)),
                OrderFeatures.TEE_SEV_SNP_GPU), tokens(10));

        engine(me).reconcile();
        assertThat(bidsOf(me, snp)).as("a provider running no TEE").isEmpty();
        assertThat(meters.counter("spheron.bids.declined", "reason", "tee").count()).isEqualTo(1.0);

        engineWith(me, new ProviderCapabilities(Set.of(), Set.of("tdx-gpu"))).reconcile();
        assertThat(bidsOf(me, snp)).as("a provider running another TEE type").isEmpty();

        engineWith(me, new ProviderCapabilities(Set.of(), Set.of("tdx-gpu", "sev-snp-gpu"))).reconcile();
        assertThat(bidsOf(me, snp)).hasSize(1);
    }

    /**
     * README limit until now: spheron.operator.runtime-class was not checked, so a provider whose cluster lacked that
     * RuntimeClass won GPU leases whose pods could not be created, and was then slashed for not deploying them. While
     * the class is missing no GPU order is bid; once it exists, the order is bid.
     */
    @Test
    void aGpuOrderIsNotBidWhileTheGpuRuntimeClassIsMissing() {
        ProviderClient me = registeredProvider();
        long gpu = tenant.createOrder(gpuOrder(1, "A100", "us-east", tokens(10)), tokens(10));
        String name = "nvidia-bid-test";

        engineWith(me, gpuRuntime(name)).reconcile();
        assertThat(bidsOf(me, gpu)).as("the RuntimeClass is missing").isEmpty();
        assertThat(meters.counter("spheron.bids.declined", "reason", "gpu-runtime-class").count()).isEqualTo(1.0);

        kube.resources(io.fabric8.kubernetes.api.model.node.v1.RuntimeClass.class).resource(
                new io.fabric8.kubernetes.api.model.node.v1.RuntimeClassBuilder().withNewMetadata().withName(name)
                        .endMetadata().withHandler("nvidia").build()).create();
        try {
            engineWith(me, gpuRuntime(name)).reconcile();
            assertThat(bidsOf(me, gpu)).as("the RuntimeClass exists").hasSize(1);
        } finally {
            kube.resources(io.fabric8.kubernetes.api.model.node.v1.RuntimeClass.class).withName(name).delete();
        }
    }

    /**
     * The GPU RuntimeClass's node selector places plain GPU orders; a TEE order's services run under its TEE type's
     * class instead, so the GPU class's labels do not restrict where it goes.
     */
    @Test
    void theGpuRuntimeClassLabelsPlaceGpuOrdersButNotTeeOnes() {
        ProviderClient me = registeredProvider();
        Map<String, String> nowhere = Map.of("spheron.test/gpu-runtime", "absent");
        ProviderCapabilities capabilities = new ProviderCapabilities(Set.of(), Set.of("sev-snp-gpu"),
                type -> java.util.Optional.of(type.equals(ProviderCapabilities.GPU_RUNTIME) ? nowhere : Map.of()), 0,
                java.util.Optional.of("nvidia"));
        long plain = tenant.createOrder(gpuOrder(1, "A100", "us-east", tokens(10)), tokens(10));
        long tee = tenant.createOrder(withFeatures(gpuOrder(1, "A100", "us-east", tokens(10)),
                OrderFeatures.TEE_SEV_SNP_GPU), tokens(10));

        engineWith(me, capabilities).reconcile();

        assertThat(bidsOf(me, plain)).as("no node has the GPU class's labels").isEmpty();
        assertThat(meters.counter("spheron.bids.declined", "reason", "gpu-runtime-nodes").count()).isEqualTo(1.0);
        assertThat(bidsOf(me, tee)).as("the TEE order follows its own class").hasSize(1);
    }

    /** Capabilities whose GPU pods get RuntimeClass {@code name}, read from the test cluster (a fresh cache). */
    private static ProviderCapabilities gpuRuntime(String name) {
        return new ProviderCapabilities(Set.of(), Set.of(),
                TeeNodes.fromRuntimeClasses(kube, Map.of(ProviderCapabilities.GPU_RUNTIME, name)), 0,
                java.util.Optional.of(name));
    }

    /**
     * Review finding: a TEE order was placed on any node with room, and its pods, which the RuntimeClass's node
     * selector keeps to the TEE nodes, would have stayed Pending on a lease the provider then had to decline. It is
     * placed only on nodes with the RuntimeClass's labels, and not bid at all when none has them.
     */
    @Test
    void aTeeOrderIsPlacedOnlyOnTheNodesItsRuntimeClassSelects() {
        ProviderClient me = registeredProvider();
        ProviderCapabilities snpOnLabelledNodes = new ProviderCapabilities(Set.of(), Set.of("sev-snp"),
                type -> java.util.Optional.of(Map.of("spheron.test/tee", "sev-snp")));
        long snp = tenant.createOrder(withFeatures(gpuOrder(1, "A100", "us-east", tokens(10)), OrderFeatures.TEE_SEV_SNP),
                tokens(10));

        engineWith(me, snpOnLabelledNodes).reconcile();
        assertThat(bidsOf(me, snp)).as("no node has the TEE labels").isEmpty();
        assertThat(meters.counter("spheron.bids.declined", "reason", "tee-nodes").count()).isEqualTo(1.0);

        engineWith(me, new ProviderCapabilities(Set.of(), Set.of("sev-snp"), type -> java.util.Optional.empty()))
                .reconcile();
        assertThat(bidsOf(me, snp)).as("its RuntimeClass is missing").isEmpty();
        assertThat(meters.counter("spheron.bids.declined", "reason", "tee-runtime-class").count()).isEqualTo(1.0);

        kube.nodes().withName("gpu-a100").edit(n -> {
            n.getMetadata().getLabels().put("spheron.test/tee", "sev-snp");
            return n;
        });
        try {
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50)).until(() -> inventory.nodes().stream()
                    .anyMatch(n -> "gpu-a100".equals(n.getMetadata().getName())
                            && "sev-snp".equals(n.getMetadata().getLabels().get("spheron.test/tee"))));
            BidEngine engine = engineWith(me, snpOnLabelledNodes);
            engine.reconcile();

            assertThat(bidsOf(me, snp)).hasSize(1);
            assertThat(engine.reservations().get(snp).node()).isEqualTo("gpu-a100");
        } finally {
            kube.nodes().withName("gpu-a100").edit(n -> {
                n.getMetadata().getLabels().remove("spheron.test/tee");
                return n;
            });
        }
    }

    /**
     * Leased IPs: an order whose SDL has {@code ip} endpoints needs that many addresses of the provider's
     * {@code spheron.operator.ip-pool}; a provider with none would win a lease whose manifest its gateway cannot serve.
     */
    @Test
    void aProviderWithNoIpPoolDoesNotBidOnAnOrderNeedingALeasedIp() {
        ProviderClient me = registeredProvider();
        BidEngine engine = engine(me);
        long needsOne = orderNeedingLeasedIps(1);
        long needsNone = orderNeedingLeasedIps(0);

        engine.reconcile();

        assertThat(bidsOf(me, needsOne)).isEmpty();
        assertThat(bidsOf(me, needsNone)).hasSize(1);
        assertThat(meters.counter("spheron.bids.declined", "reason", "leased-ips").count()).isEqualTo(1.0);
    }

    /** Like GPUs, an address promised in a bid is not promised again in the same pass. */
    @Test
    void twoOrdersNeedingThePoolsOnlyAddressGetOneBidBetweenThem() {
        ProviderClient me = registeredProvider();
        BidEngine engine = engineWith(me, ProviderCapabilities.DEFAULT_STORAGE.withLeasedIps(1));
        long first = orderNeedingLeasedIps(1);
        long second = orderNeedingLeasedIps(1);

        engine.reconcile();

        assertThat(bidsOf(me, first).size() + bidsOf(me, second).size()).isEqualTo(1);
        assertThat(engine.reservations()).hasSize(1);
        assertThat(engine.committedIps()).isEqualTo(1);
        assertThat(meters.get("spheron.bids.reserved.ips").gauge().value()).isEqualTo(1.0);
        assertThat(meters.counter("spheron.bids.declined", "reason", "leased-ips").count()).isEqualTo(1.0);
    }

    /**
     * A lease holds its addresses as long as it is active, unlike GPUs, whose hold ends when the pods run and count
     * themselves: a running lease's address is not bid again until the lease closes.
     */
    @Test
    void anActiveLeaseKeepsItsLeasedIpUntilItCloses() {
        ProviderClient me = registeredProvider();
        BidEngine engine = engineWith(me, ProviderCapabilities.DEFAULT_STORAGE.withLeasedIps(1));
        long won = orderNeedingLeasedIps(1);
        engine.reconcile();
        String node = engine.reservations().get(won).node();
        protocol.closeBidWindow(won);
        long leaseId = protocol.matchWithQuorum(won, bidsOf(me, won).get(0).index(), 2);
        runLeasePod(leaseId, node, 1);

        long whileRunning = orderNeedingLeasedIps(1);
        engine.reconcile();
        assertThat(engine.holds()).as("its pods run and count themselves").isEmpty();
        assertThat(engine.committedIps()).isEqualTo(1);
        assertThat(bidsOf(me, whileRunning)).isEmpty();
        assertThat(meters.counter("spheron.bids.declined", "reason", "leased-ips").count()).isEqualTo(1.0);

        tenant.closeLease(leaseId);
        protocol.chain().mine(protocol.config().bidWindowBlocks() + 1);
        long afterClose = orderNeedingLeasedIps(1);
        engine.reconcile();
        assertThat(bidsOf(me, afterClose)).hasSize(1);
        assertThat(engine.committedIps()).isEqualTo(1);
    }

    @Test
    void aRestartedEngineCountsTheLeasedIpsOfItsOpenBids() {
        ProviderClient me = registeredProvider();
        ProviderCapabilities onePool = ProviderCapabilities.DEFAULT_STORAGE.withLeasedIps(1);
        long before = orderNeedingLeasedIps(1);
        engineWith(me, onePool).reconcile();

        BidEngine restarted = engineWith(me, onePool);
        long after = orderNeedingLeasedIps(1);
        restarted.reconcile();

        assertThat(restarted.reservations()).containsOnlyKeys(before);
        assertThat(restarted.committedIps()).isEqualTo(1);
        assertThat(bidsOf(me, before)).hasSize(1);
        assertThat(bidsOf(me, after)).isEmpty();
    }

    @Test
    void aLostBidReleasesTheReservationSoTheGpuIsBidAgain() {
        ProviderClient me = registeredProvider();
        ProviderClient rival = registeredProvider();
        BidEngine engine = engine(me);
        long contested = tenant.createOrder(gpuOrder(1, "H100", "us-east", tokens(3)), tokens(10));
        engine.reconcile();
        int rivalBid = rival.submitBid(contested, tokens(2));
        protocol.closeBidWindow(contested);
        protocol.matchWithQuorum(contested, rivalBid, 2);

        long next = tenant.createOrder(gpuOrder(1, "H100", "us-east", tokens(3)), tokens(10));
        engine.reconcile();

        assertThat(engine.reservations()).containsOnlyKeys(next);
        assertThat(bidsOf(me, next)).hasSize(1);
        assertThat(engine.holds()).isEmpty();
    }

    @Test
    void aBidUnmatchedPastTheMatchWindowExpiresAndFreesTheGpu() {
        ProviderClient me = registeredProvider();
        BidEngine engine = engine(me);
        long unmatched = tenant.createOrder(gpuOrder(1, "H100", "us-east", tokens(3)), tokens(10));
        engine.reconcile();
        protocol.closeBidWindow(unmatched);
        protocol.chain().mine(protocol.config().matchWindowBlocks() + 1);

        long next = tenant.createOrder(gpuOrder(1, "H100", "us-east", tokens(3)), tokens(10));
        engine.reconcile();

        assertThat(engine.reservations()).containsOnlyKeys(next);
        assertThat(bidsOf(me, next)).hasSize(1);
    }

    @Test
    void aRestartedEngineRederivesItsReservationsFromTheChain() {
        ProviderClient me = registeredProvider();
        long before = tenant.createOrder(gpuOrder(1, "H100", "us-east", tokens(3)), tokens(10));
        engine(me).reconcile();

        BidEngine restarted = engine(me);
        long after = tenant.createOrder(gpuOrder(1, "H100", "us-east", tokens(3)), tokens(10));
        restarted.reconcile();

        assertThat(restarted.reservations()).containsOnlyKeys(before);
        assertThat(restarted.reservations().get(before).node()).isEqualTo("gpu-h100");
        assertThat(bidsOf(me, before)).hasSize(1);
        assertThat(bidsOf(me, after)).isEmpty();
    }

    /**
     * Also issue 13: once a lease's pods all run it holds nothing, and its order was then dropped from the engine's
     * cache and read again (getOrder, getOrderSpec) on every pass, two calls a running lease a block.
     */
    @Test
    void aWonBidHoldsItsGpuUntilTheLeasePodsRunAndThenThePodsCount() {
        ProviderClient me = registeredProvider();
        BidEngine engine = engine(me);
        engine.reconcile();
        long idle = ethCallsOfAPassAtANewBlock(engine);
        long won = tenant.createOrder(gpuOrder(1, "H100", "us-east", tokens(3)), tokens(10));
        engine.reconcile();
        protocol.closeBidWindow(won);
        long leaseId = protocol.matchWithQuorum(won, bidsOf(me, won).get(0).index(), 2);

        long whileHeld = tenant.createOrder(gpuOrder(1, "H100", "us-east", tokens(3)), tokens(10));
        engine.reconcile();
        assertThat(engine.reservations()).isEmpty();
        assertThat(engine.holds()).containsOnlyKeys(leaseId);
        assertThat(engine.holds().get(leaseId)).extracting(Claim::node).isEqualTo("gpu-h100");
        assertThat(bidsOf(me, whileHeld)).isEmpty();

        runLeasePod(leaseId, "gpu-h100", 1);
        protocol.chain().mine(protocol.config().bidWindowBlocks() + 1);
        long whileRunning = tenant.createOrder(gpuOrder(1, "H100", "us-east", tokens(3)), tokens(10));
        engine.reconcile();
        assertThat(engine.holds()).isEmpty();
        assertThat(bidsOf(me, whileRunning)).isEmpty();
        assertThat(ethCallsOfAPassAtANewBlock(engine)).as("eth_calls of a pass with a running lease, against %d "
                + "with none", idle).isEqualTo(idle);
    }

    /**
     * Issue 14: a lease's hold was released as soon as any of its pods ran, so while the first of two pods ran the
     * second one's GPU looked free and was bid again. The hold now shrinks per pod.
     */
    @Test
    void aLeaseWhosePodsRunOnlyInPartKeepsHoldingTheRest() {
        ProviderClient me = registeredProvider();
        BidEngine engine = engine(me);
        long won = tenant.createOrder(gpuOrder(2, "A100", "us-east", tokens(10)), tokens(10));
        engine.reconcile();
        // Whichever A100 node the bid took (a pod of the previous test may still be leaving the other).
        String node = engine.reservations().get(won).node();
        String other = node.equals("gpu-a100") ? "gpu-a100-b" : "gpu-a100";
        protocol.closeBidWindow(won);
        long leaseId = protocol.matchWithQuorum(won, bidsOf(me, won).get(0).index(), 2);

        runLeasePod(leaseId, node, 1);
        protocol.chain().mine(protocol.config().bidWindowBlocks() + 1);
        long oneMore = tenant.createOrder(gpuOrder(1, "A100", "us-east", tokens(10)), tokens(10));
        engine.reconcile();

        assertThat(engine.holds()).containsOnlyKeys(leaseId);
        assertThat(engine.holds().get(leaseId).demand().gpus()).isEqualTo(1);
        assertThat(engine.holds().get(leaseId).node()).isEqualTo(node);
        assertThat(bidsOf(me, oneMore)).hasSize(1);
        assertThat(engine.reservations().get(oneMore).node()).as("the held A100 is not bid again").isEqualTo(other);
    }

    /**
     * Issue 14, "what the bid engine reserved on a node is where the pods go": the scheduler does not know our holds,
     * so another lease's pods can land on the node a hold is on. The hold stayed there, over-committing that node on
     * paper, while the node the pods left free looked free and was bid again: two leases sold for one node's GPUs.
     * The hold now follows to where its pods can still go.
     */
    @Test
    void aHoldWhoseNodeOtherPodsTookMovesSoItsGpusAreNotSoldTwice() {
        ProviderClient me = registeredProvider();
        BidEngine engine = engine(me);
        long first = tenant.createOrder(gpuOrder(2, "A100", "us-east", tokens(10)), tokens(10));
        engine.reconcile();
        long second = tenant.createOrder(gpuOrder(2, "A100", "us-east", tokens(10)), tokens(10));
        engine.reconcile();
        assertThat(engine.reservations().get(first).node()).isEqualTo("gpu-a100");
        assertThat(engine.reservations().get(second).node()).isEqualTo("gpu-a100-b");
        protocol.closeBidWindow(second);
        long firstLease = protocol.matchWithQuorum(first, bidsOf(me, first).get(0).index(), 2);
        long secondLease = protocol.matchWithQuorum(second, bidsOf(me, second).get(0).index(), 2);
        engine.reconcile();
        assertThat(engine.holds().get(firstLease).node()).isEqualTo("gpu-a100");

        // the scheduler puts the second lease's pod on the first lease's node
        runLeasePod(secondLease, "gpu-a100", 2);
        protocol.chain().mine(protocol.config().bidWindowBlocks() + 1);
        long third = tenant.createOrder(gpuOrder(2, "A100", "us-east", tokens(10)), tokens(10));
        engine.reconcile();

        assertThat(engine.holds()).containsOnlyKeys(firstLease);
        assertThat(engine.holds().get(firstLease).node()).isEqualTo("gpu-a100-b");
        assertThat(bidsOf(me, third)).as("all four A100s are sold: two run, two are held").isEmpty();
    }

    @Test
    void aBidAlreadyOnChainIsNotSentAgainButReserved() {
        ProviderClient me = registeredProvider();
        long orderId = tenant.createOrder(gpuOrder(1, "H100", "us-east", tokens(3)), tokens(10));
        me.submitBid(orderId, tokens(3));

        BidEngine engine = engine(me);
        engine.reconcile();

        assertThat(bidsOf(me, orderId)).hasSize(1);
        assertThat(engine.reservations()).containsOnlyKeys(orderId);
        assertThat(meters.counter("spheron.bids.submitted").count()).isZero();
    }

    /**
     * Review attack 3, "one order stops every provider from bidding": an order for memoryMb = 2^64-1 on a 1-unit
     * deposit made every pass throw before it reached any later order. The contract refuses such an order now, but a
     * chain deployed before that can hold one, so it is forged into storage here. The provider passes over it and
     * still bids on the honest order after it.
     */
    @Test
    void oneHostileOrderDoesNotStopTheProviderFromBidding() {
        ProviderClient me = registeredProvider();
        BidEngine engine = engine(me);
        long hostile = tenant.createOrder(gpuOrder(1, "H100", "us-east", tokens(3)), BigInteger.ONE);
        long honest = tenant.createOrder(gpuOrder(1, "H100", "us-east", tokens(3)), tokens(10));
        protocol.forgeOrderMemoryMb(hostile, BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE));

        engine.reconcile();
        engine.reconcile();

        assertThat(bidsOf(me, honest)).singleElement().extracting(Bid::pricePerHour).isEqualTo(ONE_H100_PRICE);
        assertThat(bidsOf(me, hostile)).isEmpty();
        assertThat(engine.reservations()).containsOnlyKeys(honest);
        assertThat(meters.counter("spheron.bids.declined", "reason", "unreadable").count()).isEqualTo(1.0);
    }

    /**
     * Issue 13: the engine takes the open orders and their bids from the protocol index, so a pass at a new block
     * costs the same RPC calls whether the market holds none or ten open orders it passes over (before, every pass
     * read the whole open-order list, an answer that grew with the market, and the bids of each order it bid on).
     */
    @Test
    void aPassCostsTheSameRpcCallsWhateverTheNumberOfOpenOrders() {
        ProviderClient me = registeredProvider();
        ProtocolIndex index = new ProtocolIndex(reader, IndexOptions.DEFAULT);
        BidEngine engine = new BidEngine(reader, index, me, inventory::read, PRICING,
                new ProviderProfile(me.address(), "us-east", "us-east-1a"), protocol.config().matchWindowBlocks(), meters);
        engine.reconcile();
        int openBefore = index.view().open().size();
        long withNone = callsOfAPassAtANewBlock(engine);

        List<Long> elsewhere = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            OrderSpec euOnly = gpuOrder(1, "H100", "eu-west", tokens(3));
            elsewhere.add(tenant.createOrder(new OrderSpec(euOnly.cpuMilli(), euOnly.memoryMb(), euOnly.storageMb(), 1,
                    "H100", "eu-west", "", true, euOnly.maxPricePerHour(), 3600, euOnly.manifestHash()), tokens(10)));
        }
        engine.reconcile();
        long withTen = callsOfAPassAtANewBlock(engine);

        assertThat(withTen).as("RPC calls of a pass with ten open orders, against %d with none", withNone)
                .isEqualTo(withNone);
        assertThat(index.view().open()).as("open orders the pass went over").hasSize(openBefore + 10);
        assertThat(elsewhere).allSatisfy(id -> assertThat(bidsOf(me, id)).isEmpty());
    }

    private long ethCallsOfAPassAtANewBlock(BidEngine engine) {
        protocol.chain().mine(1);
        long before = reader.connection().rpcStats().requests("eth_call");
        engine.reconcile();
        return reader.connection().rpcStats().requests("eth_call") - before;
    }

    private long callsOfAPassAtANewBlock(BidEngine engine) {
        protocol.chain().mine(1);
        long before = reader.connection().rpcStats().requests();
        engine.reconcile();
        return reader.connection().rpcStats().requests() - before;
    }

    /**
     * What the lease reconciler would do once the tenant sent the manifest: a namespace named for the lease and a
     * pod in it for {@code node}; returns once the real scheduler has bound it there and the kubelet runs it.
     */
    private void runLeasePod(long leaseId, String node, int gpus) {
        String namespace = Claim.forLease(leaseId);
        kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
        leaseNamespaces.add(namespace);
        // The ServiceAccount admission plugin refuses pods until the namespace's default account exists.
        await().atMost(PATIENCE).until(() -> kube.serviceAccounts().inNamespace(namespace).withName("default").get() != null);
        kube.pods().inNamespace(namespace).resource(new PodBuilder()
                .withNewMetadata().withName("workload").withNamespace(namespace).endMetadata()
                // No grace period: the namespace controller otherwise waits out the default 30 s before it
                // removes the namespace at the end of the test.
                .withNewSpec().addToNodeSelector("kubernetes.io/hostname", node).withTerminationGracePeriodSeconds(0L)
                .addNewContainer().withName("main").withImage("cuda").withNewResources()
                .addToLimits("nvidia.com/gpu", new Quantity(Integer.toString(gpus)))
                .addToRequests("cpu", new Quantity("4")).addToRequests("memory", new Quantity("16Gi"))
                .endResources().endContainer().endSpec()
                .build()).create();
        Pod running = await().atMost(PATIENCE).pollInterval(Duration.ofMillis(250))
                .until(() -> kube.pods().inNamespace(namespace).withName("workload").get(),
                        p -> p != null && "Running".equals(p.getStatus().getPhase()));
        assertThat(running.getSpec().getNodeName()).isEqualTo(node);
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50)).until(() -> inventory.cachedPod(namespace, "workload")
                .filter(p -> "Running".equals(p.getStatus().getPhase())).isPresent());
    }

    private ProviderClient registeredProvider() {
        return protocol.registeredProvider(nextProvider++, "us-east", "us-east-1a",
                List.of(new GpuOffer("A100", 2, 2), new GpuOffer("H100", 1, 1)));
    }

    private BidEngine engine(ProviderClient me) {
        return new BidEngine(reader, new ProtocolIndex(reader, IndexOptions.DEFAULT), me, inventory::read, PRICING,
                new ProviderProfile(me.address(), "us-east", "us-east-1a"), protocol.config().matchWindowBlocks(), meters);
    }

    private BidEngine engineWith(ProviderClient me, ProviderCapabilities capabilities) {
        return new BidEngine(reader, new ProtocolIndex(reader, IndexOptions.DEFAULT), me, inventory::read, PRICING,
                new ProviderProfile(me.address(), "us-east", "us-east-1a"), capabilities,
                protocol.config().matchWindowBlocks(), meters);
    }

    /** An order for one A100 (four in the cluster, so GPUs are not what stops a bid) needing {@code ips} addresses. */
    private long orderNeedingLeasedIps(int ips) {
        return tenant.createOrder(withFeatures(gpuOrder(1, "A100", "us-east", tokens(10)), OrderFeatures.ofLeasedIps(ips)),
                tokens(10));
    }

    private static OrderSpec withFeatures(OrderSpec s, long features) {
        return new OrderSpec(s.cpuMilli(), s.memoryMb(), s.storageMb(), s.gpuCount(), s.gpuModel(), s.region(), s.zone(),
                s.regionRequired(), s.maxPricePerHour(), s.durationSeconds(), s.manifestHash(), features);
    }

    private List<Bid> bidsOf(ProviderClient provider, long orderId) {
        return reader.bids(orderId).stream().filter(b -> b.provider().equalsIgnoreCase(provider.address())).toList();
    }
}
