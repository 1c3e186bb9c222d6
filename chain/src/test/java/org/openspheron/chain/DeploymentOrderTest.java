package org.openspheron.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.openspheron.chain.ProtocolFixture.gpuOrder;
import static org.openspheron.chain.ProtocolFixture.tokens;
import static org.openspheron.chain.Reverts.assertReverts;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openspheron.chain.MatchmakerClient.MatchSignature;
import org.openspheron.contracts.generated.DeploymentOrder;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.utils.Numeric;

/** Orders, bids, the quorum match, cancellation and the match seed, on a real anvil chain. */
class DeploymentOrderTest {
    private static final List<GpuOffer> GPUS = List.of(new GpuOffer("H100", 4, 4));
    @RegisterExtension
    static final ProtocolFixture protocol = ProtocolFixture.start();

    private ProtocolReader reader() {
        return protocol.reader();
    }

    /** An open order of tenant 0 with one bid of provider 0, its bid window still open. */
    private record BidOrder(long orderId, int bidIndex, ProviderClient provider, TenantClient tenant) {
    }

    private BidOrder orderWithBid() {
        ProviderClient provider = protocol.registeredProvider(0, "us-east", "", GPUS);
        TenantClient tenant = protocol.tenant(0);
        long orderId = tenant.createOrder(gpuOrder(1, "H100", "us-east", tokens(4)), tokens(20));
        return new BidOrder(orderId, provider.submitBid(orderId, tokens(3)), provider, tenant);
    }

    private List<MatchSignature> signatures(long orderId, int bidIndex, int... matchmakers) {
        String seed = reader().seed(orderId).orElseThrow();
        byte[] digest = reader().matchDigest(orderId, bidIndex, seed);
        List<MatchSignature> out = new ArrayList<>();
        for (int m : matchmakers) {
            out.add(protocol.matchmaker(m).sign(digest));
        }
        return out;
    }

    private void assertStillOpenWithoutLease(long orderId) {
        assertThat(reader().requireOrder(orderId).state()).isEqualTo(OrderState.OPEN);
        assertThat(reader().leaseCount()).isZero();
    }

    // ------------------------------------------------------------------ createOrder

    @Test
    void creatingAnOrderEscrowsTheDepositAndEmitsOrderCreated() {
        TenantClient tenant = protocol.tenant(0);
        BigInteger before = reader().tokenBalance(tenant.address());
        long from = reader().blockNumber();

        long orderId = tenant.createOrder(gpuOrder(2, "A100", "eu-west", tokens(5)), tokens(30));

        Order order = reader().requireOrder(orderId);
        assertThat(order.tenant()).isEqualToIgnoringCase(tenant.address());
        assertThat(order.state()).isEqualTo(OrderState.OPEN);
        assertThat(order.deposit()).isEqualTo(tokens(30));
        assertThat(order.bidWindowEnd()).isEqualTo(order.createdBlock() + protocol.config().bidWindowBlocks());
        assertThat(order.spec()).isEqualTo(gpuOrder(2, "A100", "eu-west", tokens(5)));
        assertThat(reader().openOrderIds()).containsExactly(orderId);
        assertThat(reader().tokenBalance(tenant.address())).isEqualTo(before.subtract(tokens(30)));
        assertThat(reader().tokenBalance(protocol.addresses().orders())).isEqualTo(tokens(30));
        assertThat(reader().events(from, reader().blockNumber()))
                .singleElement().isEqualTo(new ProtocolEvent.OrderCreated(orderId, tenant.address(), 2, "A100",
                        "eu-west", tokens(5), order.bidWindowEnd(), tokens(30), order.createdBlock()));
    }

    @Test
    void anInvalidOrderIsRefusedWithTheReason() {
        TenantClient tenant = protocol.tenant(0);
        OrderSpec good = gpuOrder(1, "H100", "us-east", tokens(4));
        assertReverts("ZeroAmount", () -> tenant.createOrder(good, BigInteger.ZERO));
        assertThat(assertReverts("InvalidOrder", () -> tenant.createOrder(gpuOrder(1, "H100", "us-east", BigInteger.ZERO),
                tokens(1))).arguments()).containsExactly("maxPricePerHour is zero");
        assertThat(assertReverts("InvalidOrder", () -> tenant.createOrder(gpuOrder(1, "", "us-east", tokens(4)),
                tokens(1))).arguments()).containsExactly("gpuModel is empty");
        OrderSpec noDuration = new OrderSpec(1000, 1024, 0, 0, "", "", "", false, tokens(1), 0, good.manifestHash());
        assertThat(assertReverts("InvalidOrder", () -> tenant.createOrder(noDuration, tokens(1))).arguments())
                .containsExactly("durationSeconds is zero");
        OrderSpec noManifest = new OrderSpec(1000, 1024, 0, 0, "", "", "", false, tokens(1), 60, "0x" + "0".repeat(64));
        assertThat(assertReverts("InvalidOrder", () -> tenant.createOrder(noManifest, tokens(1))).arguments())
                .containsExactly("manifestHash is zero");
        assertThat(reader().orderCount()).isZero();
    }

    // ------------------------------------------------------------------ attack: one order stops every provider from bidding

    private static final BigInteger U32_MAX = BigInteger.ONE.shiftLeft(32).subtract(BigInteger.ONE);
    private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    /**
     * Review attack 3: an order for memoryMb = 2^64-1 on a 1-unit deposit did not fit the readers' {@code long}, so
     * every provider's bid pass threw on it, every pass. Each field of the spec is bounded on chain, each refusal
     * named for its field.
     */
    @Test
    void anOrderThatWouldStopEveryProviderFromBiddingIsRefused() {
        TransactionSender attacker = protocol.sender(protocol.tenantKey(0));
        attacker.send("approve", protocol.tokenContract(attacker).approve(protocol.addresses().orders(), tokens(1)));

        assertRefusedFor(U64_MAX, "OrderMemoryAboveLimit", attacker, honestWith(s -> s.memoryMb = U64_MAX));
        assertRefusedFor(U32_MAX, "OrderCpuAboveLimit", attacker, honestWith(s -> s.cpuMilli = U32_MAX));
        assertRefusedFor(U64_MAX, "OrderStorageAboveLimit", attacker, honestWith(s -> s.storageMb = U64_MAX));
        assertRefusedFor(U32_MAX, "OrderGpuCountAboveLimit", attacker, honestWith(s -> s.gpuCount = U32_MAX));
        assertRefusedFor(U64_MAX, "OrderDurationAboveLimit", attacker, honestWith(s -> s.durationSeconds = U64_MAX));
        String long129 = "x".repeat(129);
        assertRefusedFor(BigInteger.valueOf(129), "OrderTextTooLong", attacker, honestWith(s -> s.gpuModel = long129));
        assertRefusedFor(BigInteger.valueOf(129), "OrderTextTooLong", attacker, honestWith(s -> s.region = long129));
        assertRefusedFor(BigInteger.valueOf(129), "OrderTextTooLong", attacker, honestWith(s -> s.zone = long129));
        assertThat(reader().orderCount()).isZero();
    }

    @Test
    void theLargestSpecWithinTheLimitsIsAcceptedAndReadsBack() {
        String text = "x".repeat(OrderLimits.MAX_TEXT_BYTES);
        OrderSpec largest = new OrderSpec(OrderLimits.MAX_CPU_MILLI, OrderLimits.MAX_MEMORY_MB, OrderLimits.MAX_STORAGE_MB,
                (int) OrderLimits.MAX_GPU_COUNT, text, text, text, true, tokens(4), OrderLimits.MAX_DURATION_SECONDS,
                ProtocolFixture.manifestHash("largest"));

        long orderId = protocol.tenant(0).createOrder(largest, BigInteger.ONE);

        assertThat(reader().requireOrder(orderId).spec()).isEqualTo(largest);
    }

    @Test
    void theReadersLimitsAreTheContracts() throws Exception {
        var orders = protocol.ordersContract(protocol.sender(protocol.tenantKey(0)));
        assertThat(orders.MAX_CPU_MILLI().send()).isEqualTo(BigInteger.valueOf(OrderLimits.MAX_CPU_MILLI));
        assertThat(orders.MAX_MEMORY_MB().send()).isEqualTo(BigInteger.valueOf(OrderLimits.MAX_MEMORY_MB));
        assertThat(orders.MAX_STORAGE_MB().send()).isEqualTo(BigInteger.valueOf(OrderLimits.MAX_STORAGE_MB));
        assertThat(orders.MAX_GPU_COUNT().send()).isEqualTo(BigInteger.valueOf(OrderLimits.MAX_GPU_COUNT));
        assertThat(orders.MAX_DURATION_SECONDS().send()).isEqualTo(BigInteger.valueOf(OrderLimits.MAX_DURATION_SECONDS));
        assertThat(orders.MAX_TEXT_BYTES().send()).isEqualTo(BigInteger.valueOf(OrderLimits.MAX_TEXT_BYTES));
        assertThat(orders.MAX_PRICE_PER_HOUR().send()).isEqualTo(OrderLimits.MAX_PRICE_PER_HOUR);
        assertThat(orders.MAX_ESCROW().send()).isEqualTo(OrderLimits.MAX_ESCROW);
    }

    private void assertRefusedFor(BigInteger value, String error, TransactionSender tenant, DeploymentOrder.OrderSpec spec) {
        ContractRevertException revert = assertReverts(error, () -> tenant.send("createOrder",
                protocol.ordersContract(tenant).createOrder(spec, BigInteger.ONE)));
        assertThat(revert.arguments()).contains(value);
    }

    /** An order the clients would send, with one field changed to what they cannot (e.g. 2^64-1 in a long). */
    private static DeploymentOrder.OrderSpec honestWith(Consumer<DeploymentOrder.OrderSpec> change) {
        DeploymentOrder.OrderSpec s = TenantClient.toChain(gpuOrder(1, "H100", "us-east", tokens(4)));
        change.accept(s);
        // The struct encodes the values it was built with: build it again from the changed fields.
        return new DeploymentOrder.OrderSpec(s.cpuMilli, s.memoryMb, s.storageMb, s.gpuCount, s.gpuModel, s.region,
                s.zone, s.regionRequired, s.maxPricePerHour, s.durationSeconds, s.manifestHash, s.features);
    }

    // ------------------------------------------------------------------ submitBid

    @Test
    void aStakedProviderBidsOnceWithinTheWindowAndPrice() {
        BidOrder o = orderWithBid();
        assertThat(reader().bids(o.orderId())).singleElement().satisfies(b -> {
            assertThat(b.provider()).isEqualToIgnoringCase(o.provider().address());
            assertThat(b.pricePerHour()).isEqualTo(tokens(3));
            assertThat(b.index()).isZero();
        });
        assertReverts("BidAlreadySubmitted", () -> o.provider().submitBid(o.orderId(), tokens(2)));
        assertThat(reader().bids(o.orderId())).hasSize(1);
    }

    @Test
    void aBidAboveTheMaximumOrOfZeroIsRefused() {
        ProviderClient provider = protocol.registeredProvider(0, "us-east", "", GPUS);
        long orderId = protocol.tenant(0).createOrder(gpuOrder(1, "H100", "us-east", tokens(4)), tokens(20));
        ContractRevertException above = assertReverts("BidAboveMaxPrice",
                () -> provider.submitBid(orderId, tokens(4).add(BigInteger.ONE)));
        assertThat(above.arguments()).containsExactly(tokens(4).add(BigInteger.ONE), tokens(4));
        assertReverts("BidAboveMaxPrice", () -> provider.submitBid(orderId, BigInteger.ZERO));
        assertThat(reader().bids(orderId)).isEmpty();
    }

    @Test
    void anUnregisteredOrUnstakingProviderCannotBid() {
        long orderId = protocol.tenant(0).createOrder(gpuOrder(1, "H100", "us-east", tokens(4)), tokens(20));
        assertReverts("ProviderNotEligible", () -> protocol.provider(3).submitBid(orderId, tokens(1)));

        ProviderClient unstaking = protocol.registeredProvider(1, "us-east", "", GPUS);
        unstaking.requestUnstake(tokens(1));
        assertReverts("ProviderNotEligible", () -> unstaking.submitBid(orderId, tokens(1)));
        assertThat(reader().bids(orderId)).isEmpty();
    }

    @Test
    void aBidAfterTheWindowIsRefused() {
        ProviderClient provider = protocol.registeredProvider(0, "us-east", "", GPUS);
        long orderId = protocol.tenant(0).createOrder(gpuOrder(1, "H100", "us-east", tokens(4)), tokens(20));
        protocol.closeBidWindow(orderId);
        ContractRevertException revert = assertReverts("BidWindowClosed", () -> provider.submitBid(orderId, tokens(1)));
        assertThat(revert.arguments().get(1)).isEqualTo(BigInteger.valueOf(reader().requireOrder(orderId).bidWindowEnd()));
        assertThat(reader().bids(orderId)).isEmpty();
    }

    @Test
    void bidsOnUnknownOrMatchedOrdersAreRefused() {
        BidOrder o = orderWithBid();
        assertReverts("UnknownOrder", () -> o.provider().submitBid(999, tokens(1)));
        protocol.closeBidWindow(o.orderId());
        protocol.matchWithQuorum(o.orderId(), o.bidIndex(), 2);
        ProviderClient late = protocol.registeredProvider(1, "us-east", "", GPUS);
        assertReverts("OrderNotOpen", () -> late.submitBid(o.orderId(), tokens(1)));
    }

    // ------------------------------------------------------------------ matchOrder

    @Test
    void aQuorumMatchCreatesTheLeaseWithTheOrdersEscrow() {
        BidOrder o = orderWithBid();
        protocol.closeBidWindow(o.orderId());
        String seed = reader().seed(o.orderId()).orElseThrow();
        long from = reader().blockNumber();

        long leaseId = protocol.matchmaker(2).matchOrder(o.orderId(), o.bidIndex(), signatures(o.orderId(), o.bidIndex(), 2, 0));

        Lease lease = reader().requireLease(leaseId);
        assertThat(lease.state()).isEqualTo(LeaseState.ACTIVE);
        assertThat(lease.orderId()).isEqualTo(o.orderId());
        assertThat(lease.provider()).isEqualToIgnoringCase(o.provider().address());
        assertThat(lease.tenant()).isEqualToIgnoringCase(o.tenant().address());
        assertThat(lease.pricePerHour()).isEqualTo(tokens(3));
        assertThat(lease.balance()).isEqualTo(tokens(20));
        assertThat(lease.confirmDeadline()).isEqualTo(lease.createdAt() + protocol.config().confirmWindowSeconds());
        Order order = reader().requireOrder(o.orderId());
        assertThat(order.state()).isEqualTo(OrderState.MATCHED);
        assertThat(order.deposit()).isZero();
        assertThat(order.leaseId()).isEqualTo(leaseId);
        assertThat(reader().openOrderIds()).isEmpty();
        assertThat(reader().tenantLeasesOf(o.tenant().address())).containsExactly(leaseId);
        assertThat(reader().events(from, reader().blockNumber()))
                .filteredOn(e -> e instanceof ProtocolEvent.LeaseCreated).singleElement()
                .satisfies(e -> assertThat(((ProtocolEvent.LeaseCreated) e).seed()).isEqualTo(seed));
    }

    @Test
    void aMatchWhileTheBidWindowIsOpenIsRefused() {
        BidOrder o = orderWithBid();
        assertThat(reader().seed(o.orderId())).isEmpty();
        byte[] digest = reader().matchDigest(o.orderId(), o.bidIndex(), "0x" + "0".repeat(64));
        var sigs = List.of(protocol.matchmaker(0).sign(digest), protocol.matchmaker(1).sign(digest));
        assertReverts("BidWindowOpen", () -> protocol.matchmaker(0).matchOrder(o.orderId(), o.bidIndex(), sigs));
        assertStillOpenWithoutLease(o.orderId());
    }

    @Test
    void aMatchBelowTheThresholdIsRefused() {
        BidOrder o = orderWithBid();
        protocol.closeBidWindow(o.orderId());
        ContractRevertException revert = assertReverts("QuorumNotReached", () -> protocol.matchmaker(0)
                .matchOrder(o.orderId(), o.bidIndex(), signatures(o.orderId(), o.bidIndex(), 1)));
        assertThat(revert.arguments()).containsExactly(BigInteger.ONE, BigInteger.TWO);
        assertReverts("QuorumNotReached", () -> protocol.matchmaker(0).matchOrder(o.orderId(), o.bidIndex(), List.of()));
        assertStillOpenWithoutLease(o.orderId());
    }

    @Test
    void oneOperatorSigningTwiceDoesNotMakeAQuorum() {
        BidOrder o = orderWithBid();
        protocol.closeBidWindow(o.orderId());
        assertReverts("SignaturesNotSorted", () -> protocol.matchmaker(0)
                .matchOrder(o.orderId(), o.bidIndex(), signatures(o.orderId(), o.bidIndex(), 1, 1)));
        assertStillOpenWithoutLease(o.orderId());
    }

    @Test
    void signaturesOutOfSignerOrderAreRefused() {
        BidOrder o = orderWithBid();
        protocol.closeBidWindow(o.orderId());
        List<MatchSignature> descending = new ArrayList<>(signatures(o.orderId(), o.bidIndex(), 0, 1));
        descending.sort(Comparator.comparing((MatchSignature s) -> Numeric.toBigInt(s.signer())).reversed());
        TransactionSender submitter = protocol.sender(protocol.matchmakerKey(0));
        var orders = protocol.ordersContract(submitter);
        assertReverts("SignaturesNotSorted", () -> submitter.send("matchOrder", orders.matchOrder(
                BigInteger.valueOf(o.orderId()), BigInteger.valueOf(o.bidIndex()),
                descending.stream().map(MatchSignature::bytes).toList())));
        assertStillOpenWithoutLease(o.orderId());
    }

    @Test
    void aSignatureOfANonOperatorIsRefused() {
        BidOrder o = orderWithBid();
        protocol.closeBidWindow(o.orderId());
        String seed = reader().seed(o.orderId()).orElseThrow();
        byte[] digest = reader().matchDigest(o.orderId(), o.bidIndex(), seed);
        var outsider = protocol.tenantKey(5);
        var sigs = List.of(protocol.matchmaker(0).sign(digest), MatchSignature.sign(digest, outsider));
        ContractRevertException revert = assertReverts("SignerNotOperator",
                () -> protocol.matchmaker(0).matchOrder(o.orderId(), o.bidIndex(), sigs));
        assertThat((String) revert.arguments().get(0)).isEqualToIgnoringCase(outsider.getAddress());
        assertStillOpenWithoutLease(o.orderId());
    }

    @Test
    void signaturesOverAnotherBidOrSeedDoNotCount() {
        BidOrder o = orderWithBid();
        protocol.closeBidWindow(o.orderId());
        // Signed over a different seed, the recovered signers are random addresses, not operators.
        byte[] wrongSeed = reader().matchDigest(o.orderId(), o.bidIndex(), "0x" + "1".repeat(64));
        var sigs = List.of(protocol.matchmaker(0).sign(wrongSeed), protocol.matchmaker(1).sign(wrongSeed));
        assertReverts("SignerNotOperator", () -> protocol.matchmaker(0).matchOrder(o.orderId(), o.bidIndex(), sigs));
        assertStillOpenWithoutLease(o.orderId());
    }

    @Test
    void aMatchOfAnUnknownBidOrOfABidderThatLostEligibilityIsRefused() {
        BidOrder o = orderWithBid();
        protocol.closeBidWindow(o.orderId());
        var sigs = signatures(o.orderId(), o.bidIndex(), 0, 1);
        assertReverts("UnknownBid", () -> protocol.matchmaker(0).matchOrder(o.orderId(), 1, sigs));

        o.provider().requestUnstake(tokens(1));
        assertReverts("ProviderNotEligible", () -> protocol.matchmaker(0).matchOrder(o.orderId(), o.bidIndex(), sigs));
        assertStillOpenWithoutLease(o.orderId());
    }

    @Test
    void aMatchedOrderCannotBeMatchedAgain() {
        BidOrder o = orderWithBid();
        protocol.closeBidWindow(o.orderId());
        var sigs = signatures(o.orderId(), o.bidIndex(), 0, 1);
        protocol.matchmaker(0).matchOrder(o.orderId(), o.bidIndex(), sigs);
        assertReverts("OrderNotOpen", () -> protocol.matchmaker(1).matchOrder(o.orderId(), o.bidIndex(), sigs));
        assertThat(reader().leaseCount()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ seed

    @Test
    void theSeedIsTheHashOfTheBidWindowsLastBlockAndTheOrderId() throws Exception {
        BidOrder o = orderWithBid();
        protocol.closeBidWindow(o.orderId());
        long windowEnd = reader().requireOrder(o.orderId()).bidWindowEnd();
        String blockHash = protocol.connection().web3j()
                .ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(windowEnd)), false)
                .send().getBlock().getHash();
        byte[] encoded = new byte[64];
        System.arraycopy(Numeric.hexStringToByteArray(blockHash), 0, encoded, 0, 32);
        byte[] id = Numeric.toBytesPadded(BigInteger.valueOf(o.orderId()), 32);
        System.arraycopy(id, 0, encoded, 32, 32);

        assertThat(reader().seed(o.orderId())).contains(Numeric.toHexString(Hash.sha3(encoded)));
    }

    // ------------------------------------------------------------------ attack: seed grinding

    /**
     * Review attack 10: once the bid window's block hash aged out (256 blocks), anchorSeed took the hash of the block
     * before the caller's transaction, so whoever timed that call chose the seed; the picked provider could force the
     * path by dipping below the minimum stake after bidding, stalling its own match. Orders now expire within 255
     * blocks of their window, while the window's hash is readable, and there is no other seed: a picked provider
     * that becomes ineligible is refused, and the next candidate matches under the same seed.
     */
    @Test
    void aPickedProviderCannotRerollTheSeedByBecomingIneligible() {
        BidOrder o = orderWithBid();
        ProviderClient second = protocol.registeredProvider(1, "us-east", "us-east-1a", GPUS);
        int secondBid = second.submitBid(o.orderId(), tokens(3));
        protocol.closeBidWindow(o.orderId());
        String seed = reader().seed(o.orderId()).orElseThrow();
        // The pick (bid 0) leaves: below the minimum stake it is no longer eligible.
        protocol.provider(0).requestUnstake(protocol.config().minStake());

        assertReverts("ProviderNotEligible", () -> protocol.matchWithQuorum(o.orderId(), o.bidIndex(), 2));
        assertThat(reader().seed(o.orderId())).as("the refused match changed nothing").contains(seed);
        protocol.chain().mine(300);
        assertThat(reader().seed(o.orderId())).as("no seed can be fixed after the hash aged out").isEmpty();
        byte[] digest = reader().matchDigest(o.orderId(), secondBid, seed);
        var lateQuorum = List.of(protocol.matchmaker(0).sign(digest), protocol.matchmaker(1).sign(digest));
        assertReverts("OrderExpired", () -> protocol.matchmaker(0).matchOrder(o.orderId(), secondBid, lateQuorum));
        assertThat(reader().openOrderIds()).doesNotContain(o.orderId());
    }

    @Test
    void theNextCandidateMatchesUnderTheSameSeed() {
        BidOrder o = orderWithBid();
        ProviderClient second = protocol.registeredProvider(1, "us-east", "us-east-1a", GPUS);
        int secondBid = second.submitBid(o.orderId(), tokens(3));
        protocol.closeBidWindow(o.orderId());
        String seed = reader().seed(o.orderId()).orElseThrow();
        protocol.provider(0).requestUnstake(protocol.config().minStake());
        protocol.chain().mine(3);

        long from = reader().blockNumber();
        protocol.matchWithQuorum(o.orderId(), secondBid, 2);

        assertThat(reader().events(from, reader().blockNumber()))
                .filteredOn(e -> e instanceof ProtocolEvent.LeaseCreated).singleElement()
                .satisfies(e -> assertThat(((ProtocolEvent.LeaseCreated) e).seed()).isEqualTo(seed));
        assertThat(reader().requireOrder(o.orderId()).anchoredSeed()).isEqualTo(seed);
    }

    @Test
    void aMatchWindowTheSeedCouldOutliveIsRefused() {
        assertThatThrownBy(() -> protocol.config().withMatchWindowBlocks(256))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("between 1 and 255");
        var owner = protocol.chain().account(0);
        var tx = protocol.sender(owner).manager();
        assertThatThrownBy(() -> DeploymentOrder.deploy(protocol.connection().web3j(), tx,
                new org.web3j.tx.gas.StaticGasProvider(BigInteger.valueOf(1_000_000_000L), BigInteger.valueOf(8_000_000)),
                protocol.addresses().token(), protocol.addresses().registry(), protocol.addresses().matchmakers(),
                BigInteger.ONE, BigInteger.valueOf(256), BigInteger.valueOf(600), BigInteger.ONE).send())
                .as("the contract refuses it too").isNotNull();
    }

    // ------------------------------------------------------------------ attack: no match deadline

    /**
     * Review attack 11: quorum signatures stayed valid indefinitely, so a match the operators signed once could be
     * submitted at any later time. A signed match now carries the order's match deadline (expiresAtBlock in the
     * EIP-712 Match), and the contract refuses any match after it.
     */
    @Test
    void quorumSignaturesExpireWithTheOrdersMatchDeadline() {
        BidOrder o = orderWithBid();
        protocol.closeBidWindow(o.orderId());
        var sigs = signatures(o.orderId(), o.bidIndex(), 0, 1);
        long deadline = reader().requireOrder(o.orderId()).bidWindowEnd() + protocol.config().matchWindowBlocks();
        protocol.chain().mine(deadline - reader().blockNumber());

        ContractRevertException refused = assertReverts("OrderExpired",
                () -> protocol.matchmaker(0).matchOrder(o.orderId(), o.bidIndex(), sigs));
        assertThat(refused.arguments()).containsExactly(BigInteger.valueOf(o.orderId()), BigInteger.valueOf(deadline));
        assertThat(reader().requireOrder(o.orderId()).state()).isEqualTo(OrderState.OPEN);
        o.tenant().cancelOrder(o.orderId());
        assertThat(reader().requireOrder(o.orderId()).state()).isEqualTo(OrderState.CANCELLED);
    }

    @Test
    void aMatchOnItsDeadlineBlockStillCounts() {
        BidOrder o = orderWithBid();
        protocol.closeBidWindow(o.orderId());
        var sigs = signatures(o.orderId(), o.bidIndex(), 0, 1);
        long deadline = reader().requireOrder(o.orderId()).bidWindowEnd() + protocol.config().matchWindowBlocks();
        protocol.chain().mine(deadline - reader().blockNumber() - 1);

        protocol.matchmaker(0).matchOrder(o.orderId(), o.bidIndex(), sigs);

        assertThat(reader().requireOrder(o.orderId()).state()).isEqualTo(OrderState.MATCHED);
    }

    // ------------------------------------------------------------------ attack: unbounded open-order set

    /**
     * Review attack 5: orders never expired, so openOrderIds() returned every order ever left open (a 1-unit deposit
     * each) and every provider and matchmaker read all of them each block. Orders now expire at their match deadline
     * and openOrderIds() lists only live ones: its length depends on the orders of the last bid + match window, not
     * on the market's history. The live range [firstLiveOrderId(), orderCount] is what the index reads in batches.
     */
    @Test
    void expiredOrdersLeaveTheOpenSetSoReadingItStaysBounded() {
        TenantClient spammer = protocol.tenant(2);
        List<Long> spam = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            spam.add(spammer.createOrder(gpuOrder(1, "H100", "us-east", BigInteger.ONE), BigInteger.ONE));
        }
        assertThat(reader().openOrderIds()).containsAll(spam);
        assertThat(reader().firstLiveOrderId()).isLessThanOrEqualTo(spam.get(0));
        long lastDeadline = reader().requireOrder(spam.get(spam.size() - 1)).bidWindowEnd()
                + protocol.config().matchWindowBlocks();
        protocol.chain().mine(lastDeadline - reader().blockNumber() + 1);
        long fresh = protocol.tenant(0).createOrder(gpuOrder(1, "H100", "us-east", tokens(4)), tokens(20));

        assertThat(reader().openOrderIds()).containsExactly(fresh);
        assertThat(reader().firstLiveOrderId()).as("the live range, which busy readers page through, starts past them")
                .isEqualTo(fresh);
        // Their deposits are not lost: each tenant still cancels its expired order.
        spammer.cancelOrder(spam.get(0));
        assertThat(reader().requireOrder(spam.get(0)).state()).isEqualTo(OrderState.CANCELLED);
    }

    /**
     * Review of the packed lease record: its confirm deadline is createdAt + the window in 64 bits, so a window near
     * 2^64 (a hand-made deployment) would let a lease be created whose confirm, decline, close and report all
     * overflow, locking its escrow. The constructor refuses such a window.
     */
    @Test
    void aConfirmWindowBeyondThirtyDaysIsRefusedAtDeployment() {
        var connection = protocol.connection();
        var addresses = protocol.addresses();
        Throwable refused = org.assertj.core.api.Assertions.catchThrowable(() -> org.openspheron.contracts.generated
                .DeploymentOrder.deploy(connection.web3j(), protocol.owner(), connection.gasProvider(), addresses.token(),
                        addresses.registry(), addresses.matchmakers(), BigInteger.valueOf(5), BigInteger.valueOf(40),
                        new BigInteger("18446744073709551615"), BigInteger.ONE).send());
        assertThat(refused).as("a window of 2^64-1 seconds").isNotNull();
        var deployed = org.assertj.core.api.Assertions.catchThrowable(() -> org.openspheron.contracts.generated
                .DeploymentOrder.deploy(connection.web3j(), protocol.owner(), connection.gasProvider(), addresses.token(),
                        addresses.registry(), addresses.matchmakers(), BigInteger.valueOf(5), BigInteger.valueOf(40),
                        BigInteger.valueOf(30L * 24 * 3600), BigInteger.ONE).send());
        assertThat(deployed).as("30 days, the limit").isNull();
    }

    // ------------------------------------------------------------------ cancelOrder

    @Test
    void anOrderWithoutBidsIsCancelledAtOnceAndRefunded() {
        TenantClient tenant = protocol.tenant(0);
        BigInteger before = reader().tokenBalance(tenant.address());
        long orderId = tenant.createOrder(gpuOrder(1, "H100", "us-east", tokens(4)), tokens(20));

        assertReverts("NotTenant", () -> protocol.tenant(1).cancelOrder(orderId));
        tenant.cancelOrder(orderId);

        assertThat(reader().requireOrder(orderId).state()).isEqualTo(OrderState.CANCELLED);
        assertThat(reader().requireOrder(orderId).deposit()).isZero();
        assertThat(reader().tokenBalance(tenant.address())).isEqualTo(before);
        assertThat(reader().tokenBalance(protocol.addresses().orders())).isZero();
        assertThat(reader().openOrderIds()).isEmpty();
        assertReverts("OrderNotOpen", () -> tenant.cancelOrder(orderId));
    }

    /**
     * Two matchmakers that estimate the same match against one block both send it; the second is mined as a revert.
     * Its receipt says only "failed", which the matchmaker took for "outcome unknown". The sender now replays the
     * mined transaction and reports the contract's error, here with the estimate bypassed by a fixed gas limit.
     */
    @Test
    void aTransactionMinedAsARevertIsReportedWithTheContractsError() {
        TenantClient tenant = protocol.tenant(0);
        long orderId = tenant.createOrder(gpuOrder(1, "H100", "us-east", tokens(4)), tokens(20));
        tenant.cancelOrder(orderId);
        TransactionSender sender = protocol.sender(protocol.tenantKey(0));
        DeploymentOrder unestimated = DeploymentOrder.load(protocol.addresses().orders(), protocol.connection().web3j(),
                sender.manager(), new org.web3j.tx.gas.StaticGasProvider(BigInteger.valueOf(2_000_000_000L),
                        BigInteger.valueOf(300_000)));

        ContractRevertException mined = assertReverts("OrderNotOpen",
                () -> sender.send("cancelOrder(" + orderId + ")", unestimated.cancelOrder(BigInteger.valueOf(orderId))));

        assertThat(mined.getMessage()).startsWith("cancelOrder(" + orderId + ") in transaction 0x")
                .contains("reverted: OrderNotOpen(");
        assertThat(reader().requireOrder(orderId).state()).isEqualTo(OrderState.CANCELLED);
    }

    /**
     * Attack 4, second half: any bid used to keep the tenant in its order until the match window ended. A bid is an
     * offer that binds the tenant to nothing, so the tenant may cancel until the bid window closes.
     */
    @Test
    void bidCapGriefingCannotKeepATenantInItsOrderDuringTheBidWindow() {
        BidOrder o = orderWithBid();
        BigInteger before = reader().tokenBalance(o.tenant().address());
        assertThat(reader().requireOrder(o.orderId()).bidWindowEnd()).isGreaterThan(reader().blockNumber());

        o.tenant().cancelOrder(o.orderId());

        assertThat(reader().requireOrder(o.orderId()).state()).isEqualTo(OrderState.CANCELLED);
        assertThat(reader().tokenBalance(o.tenant().address())).isEqualTo(before.add(tokens(20)));
        protocol.closeBidWindow(o.orderId());
        assertReverts("OrderNotOpen", () -> protocol.matchWithQuorum(o.orderId(), o.bidIndex(), 2));
    }

    @Test
    void anOrderWithBidsCannotBeCancelledWhileTheMatchmakersMayMatchIt() {
        BidOrder o = orderWithBid();
        BigInteger before = reader().tokenBalance(o.tenant().address());
        protocol.closeBidWindow(o.orderId());
        long matchDeadline = reader().requireOrder(o.orderId()).bidWindowEnd() + protocol.config().matchWindowBlocks();

        ContractRevertException early = assertReverts("CannotCancelYet", () -> o.tenant().cancelOrder(o.orderId()));
        assertThat(early.arguments().get(1)).isEqualTo(BigInteger.valueOf(matchDeadline));
        protocol.chain().mine(matchDeadline - reader().blockNumber() - 2);
        assertReverts("CannotCancelYet", () -> o.tenant().cancelOrder(o.orderId()));
        assertThat(reader().requireOrder(o.orderId()).state()).isEqualTo(OrderState.OPEN);

        protocol.chain().mine(2);
        o.tenant().cancelOrder(o.orderId());
        assertThat(reader().requireOrder(o.orderId()).state()).isEqualTo(OrderState.CANCELLED);
        assertThat(reader().tokenBalance(o.tenant().address())).isEqualTo(before.add(tokens(20)));
        assertReverts("OrderNotOpen", () -> protocol.matchWithQuorum(o.orderId(), o.bidIndex(), 2));
    }

    @Test
    void aMatchedOrderCannotBeCancelled() {
        BidOrder o = orderWithBid();
        protocol.closeBidWindow(o.orderId());
        protocol.matchWithQuorum(o.orderId(), o.bidIndex(), 2);
        protocol.chain().mine(protocol.config().matchWindowBlocks() + 1);
        assertReverts("OrderNotOpen", () -> o.tenant().cancelOrder(o.orderId()));
    }
}
