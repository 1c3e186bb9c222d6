package org.openspheron.matchmaker.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.chain.ProtocolFixture.gpuOrder;
import static org.openspheron.chain.ProtocolFixture.tokens;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.Bid;
import org.openspheron.chain.GpuOffer;
import org.openspheron.chain.Lease;
import org.openspheron.chain.Order;
import org.openspheron.chain.ProtocolFixture;
import org.openspheron.chain.ProtocolReader;
import org.openspheron.chain.Provider;
import org.openspheron.matchmaker.scoring.Ranking;
import org.openspheron.matchmaker.scoring.Scorer;
import org.openspheron.matchmaker.scoring.ScoringPolicy;

/** Three operators (threshold two) on a real anvil chain, wired in one JVM. */
class QuorumMatchTest {
    static ProtocolFixture fixture;
    static ProtocolReader reader;
    List<Operator> operators;

    @BeforeAll
    static void deploy() {
        fixture = ProtocolFixture.start();
        reader = fixture.reader();
        fixture.registeredProvider(0, "eu-west", "a", List.of(new GpuOffer("H100", 8, 8)));
        fixture.registeredProvider(1, "eu-west", "b", List.of(new GpuOffer("H100", 8, 8)));
        fixture.registeredProvider(2, "us-east", "a", List.of(new GpuOffer("H100", 8, 1)));
        fixture.registeredProvider(3, "eu-west", "a", List.of(new GpuOffer("A100", 8, 8)));
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @AfterEach
    void closeOperators() {
        operators.forEach(Operator::close);
    }

    @Test
    void quorumMatchesTheBidTheScoringPicksWithExactlyOneLease() {
        operators = Operator.quorumOf(fixture, 3, 0);
        long orderId = orderWithBids();

        Operator.passes(operators, 2);

        Order order = reader.requireOrder(orderId);
        assertThat(order.leaseId()).isPositive();
        assertThat(leasesFor(orderId)).isEqualTo(1);
        Lease lease = reader.requireLease(order.leaseId());
        Ranking expected = independentRanking(orderId);
        assertThat(lease.provider()).isEqualToIgnoringCase(expected.pick().orElseThrow().bid().provider());
        // The operators that looked before the lease existed (at least the two signers) agree with the scoring;
        // one that first looks afterwards only sees a matched order.
        List<Decision> decisions = operators.stream().flatMap(o -> o.reconciler.decision(orderId).stream()).toList();
        assertThat(decisions).hasSizeGreaterThanOrEqualTo(2).allSatisfy(d -> {
            assertThat(d.status()).isEqualTo(MatchStatus.MATCHED);
            assertThat(d.leaseId()).isEqualTo(order.leaseId());
            assertThat(d.ranking()).isEqualTo(expected);
        });
        assertThat(submissionsOf(orderId)).isEqualTo(1);
    }

    @Test
    void orderWithoutQualifyingBidIsLeftOpenAndReported() {
        operators = Operator.quorumOf(fixture, 3, 0);
        long orderId = fixture.tenant(1).createOrder(gpuOrder(2, "H100", "eu-west", tokens(10)), tokens(100));
        fixture.provider(3).submitBid(orderId, tokens(3)); // offers A100 only
        fixture.closeBidWindow(orderId);

        Operator.passes(operators, 2);

        assertThat(reader.requireOrder(orderId).isOpen()).isTrue();
        Decision d = operators.get(0).reconciler.decision(orderId).orElseThrow();
        assertThat(d.status()).isEqualTo(MatchStatus.NO_ELIGIBLE_BID);
        assertThat(d.note()).contains("free H100");
        fixture.chain().mine(fixture.config().matchWindowBlocks() + 1);
        fixture.tenant(1).cancelOrder(orderId);
        Operator.passes(operators, 1);
        assertThat(operators.get(0).reconciler.decision(orderId).orElseThrow().status()).isEqualTo(MatchStatus.CANCELLED);
    }

    @Test
    void orderIsNotSignedBeforeItsWindowIsConfirmationsDeep() {
        operators = Operator.quorumOf(fixture, 3, 0);
        List<Operator> cautious = List.of(new Operator(fixture, 0, 3, ScoringPolicy.defaults()));
        try {
            long orderId = orderWithBids();
            cautious.get(0).pass();
            assertThat(cautious.get(0).reconciler.decision(orderId).orElseThrow().status())
                    .isEqualTo(MatchStatus.WAITING_WINDOW);
            assertThat(cautious.get(0).quorum.signaturesFor(orderId)).isEmpty();
            fixture.chain().mine(3);
            cautious.get(0).pass();
            assertThat(cautious.get(0).quorum.signaturesFor(orderId)).hasSize(1);
        } finally {
            cautious.forEach(Operator::close);
        }
    }

    @Test
    void restartedOperatorFinishesThePendingMatchExactlyOnce() {
        operators = Operator.quorumOf(fixture, 3, 0);
        long orderId = orderWithBids();
        operators.get(1).down = true;
        operators.get(2).down = true;
        operators.get(0).pass(); // signs, no peer answers: 1 of 2 signatures
        assertThat(operators.get(0).reconciler.decision(orderId).orElseThrow().status()).isEqualTo(MatchStatus.SIGNING);

        Operator restarted = Operator.restart(fixture, operators, operators.get(0));
        operators.get(1).down = false;
        restarted.pass(); // re-derives the order from the chain, signs again, pulls operator 1's signature
        operators.get(1).pass();
        Operator.passes(operators, 2);
        // Operator 2, still down, may come first in this order's submission order: its turn passes first.
        fixture.chain().mine(MatchReconciler.SUBMIT_TURN_BLOCKS);
        Operator.passes(operators, 2);

        Order order = reader.requireOrder(orderId);
        assertThat(order.leaseId()).isPositive();
        assertThat(submissionsOf(orderId)).isEqualTo(1);
        assertThat(leasesFor(orderId)).isEqualTo(1);
    }

    /**
     * Every signer of a quorum used to send matchOrder at once: one made the lease, the others were mined as reverts
     * (in the end-to-end run, two reverted transactions per order, gas for nothing). Now only the first signer in the
     * order's submission order sends; the others stand by.
     */
    @Test
    void onlyTheFirstSignerInTheSubmitOrderSendsTheMatch() {
        operators = Operator.quorumOf(fixture, 3, 0);
        long orderId = orderWithBids();
        Operator first = firstToSubmit(orderId);
        first.pass(); // signs and publishes: 1 of 2
        List<Operator> others = operators.stream().filter(o -> o != first).toList();
        Operator.passes(others, 2); // each holds a quorum, and is not first
        assertThat(reader.requireOrder(orderId).isOpen()).isTrue();
        first.pass();
        Operator.passes(operators, 2);

        assertThat(leasesFor(orderId)).isEqualTo(1);
        assertThat(first.events.submittedOrders).containsExactly(orderId);
        assertThat(operators).allSatisfy(o -> assertThat(o.events.failed).as("operator %d", o.index).hasValue(0));
        assertThat(submissionsOf(orderId)).isEqualTo(1);
    }

    /** The first signer signs and goes away before sending: the next one sends once its turn's blocks have passed. */
    @Test
    void aFirstSignerThatGoesAwayIsReplacedAfterItsTurn() {
        operators = Operator.quorumOf(fixture, 3, 0);
        long orderId = orderWithBids();
        Operator first = firstToSubmit(orderId);
        first.pass(); // signs and publishes: 1 of 2
        first.down = true;
        List<Operator> others = operators.stream().filter(o -> o != first).toList();
        Operator.passes(others, 2);
        assertThat(reader.requireOrder(orderId).isOpen()).as("the others wait for the first signer").isTrue();
        assertThat(others.get(0).reconciler.decision(orderId).orElseThrow().note()).contains("to submit, at block");

        fixture.chain().mine(MatchReconciler.SUBMIT_TURN_BLOCKS);
        Operator.passes(others, 2);

        assertThat(leasesFor(orderId)).isEqualTo(1);
        assertThat(submissionsOf(orderId)).isEqualTo(1);
        assertThat(others).allSatisfy(o -> assertThat(o.events.failed).as("operator %d", o.index).hasValue(0));
    }

    /**
     * Places count among the whole operator set, not among the signatures an operator happens to hold. With the
     * first operator unreachable for a moment, the second held a quorum without the first's signature and counted
     * itself first; the first, holding its own and the third's, did too: two matchOrder in one block, one reverted.
     */
    @Test
    void aSignerThatLacksTheFirstsSignatureStillWaitsForTheFirstsTurn() {
        operators = Operator.quorumOf(fixture, 3, 0);
        long orderId = orderWithBids();
        Operator first = inPlace(orderId, 0);
        Operator second = inPlace(orderId, 1);
        Operator third = inPlace(orderId, 2);
        first.down = true;
        third.pass(); // signs; its signature reaches the second only
        second.pass(); // signs: holds a quorum without the first's signature

        assertThat(reader.requireOrder(orderId).isOpen()).as("the second waits for the first's turn").isTrue();
        assertThat(second.reconciler.decision(orderId).orElseThrow().note()).contains("second to submit");

        first.down = false;
        Operator.passes(operators, 2);
        fixture.chain().mine(MatchReconciler.SUBMIT_TURN_BLOCKS);
        Operator.passes(operators, 2);

        assertThat(leasesFor(orderId)).isEqualTo(1);
        assertThat(submissionsOf(orderId)).isEqualTo(1);
        assertThat(operators).allSatisfy(o -> assertThat(o.events.failed).as("operator %d", o.index).hasValue(0));
    }

    @Test
    void operatorWithAnotherPolicyIsReportedAsDisagreeing() {
        // Operator 2 weighs nothing but placement and draws only the single best: it picks the us-east bid never,
        // the eu-west/a bid always; the others weigh price and may draw differently. Disagreement is then likely
        // but not certain, so the order is built where the default policy prefers the cheap eu-west/b bid.
        Operator dissenter = new Operator(fixture, 2, 0, ScoringPolicy.defaults()
                .withWeights(new ScoringPolicy.Weights(1, 0, 0, 0, 0, 0)).withDraw(1, 0));
        operators = new java.util.ArrayList<>(List.of(
                new Operator(fixture, 0, 0, ScoringPolicy.defaults().withDraw(1, 0)), dissenter));
        Operator.connect(operators);
        long orderId = fixture.tenant(2).createOrder(gpuOrder(1, "H100", "eu-west", tokens(10)), tokens(100));
        fixture.provider(0).submitBid(orderId, tokens(9)); // eu-west/a, expensive
        fixture.provider(1).submitBid(orderId, tokens(1)); // eu-west/b, cheap
        fixture.closeBidWindow(orderId);

        Operator.passes(operators, 2);

        assertThat(reader.requireOrder(orderId).isOpen()).isTrue();
        Decision ours = operators.get(0).reconciler.decision(orderId).orElseThrow();
        assertThat(ours.pick()).isEqualTo(1);
        assertThat(ours.disagreements()).singleElement().satisfies(d -> {
            assertThat(d.peerBid()).isZero();
            assertThat(d.peerOperator()).isEqualToIgnoringCase(fixture.matchmakerKey(2).getAddress());
            // Both fingerprints travel with the decisions, so the log can say it is a policy mismatch.
            assertThat(d.ourPolicy()).isEqualTo(ScoringPolicy.defaults().withDraw(1, 0).fingerprint());
            assertThat(d.peerPolicy()).isEqualTo(dissenter.reconciler.decision(orderId).orElseThrow().ranking()
                    .policyFingerprint()).isNotEqualTo(d.ourPolicy());
            assertThat(d.policyVerdict()).contains("policy mismatch");
        });
        assertThat(operators.get(0).events.disagreements.get()).isEqualTo(1);
    }

    /**
     * Review attack 3, "one order stops every provider from bidding", seen from the matchmaker: an order for
     * memoryMb = 2^64-1 (forged into storage, as only a contract deployed before the order limits can hold it) is
     * passed over on its own (and warned about once), and the order after it is matched as usual.
     */
    @Test
    void oneHostileOrderDoesNotStopTheMatchOfTheOthers() {
        operators = Operator.quorumOf(fixture, 3, 0);
        long hostile = fixture.tenant(2).createOrder(gpuOrder(1, "H100", "eu-west", tokens(10)), BigInteger.ONE);
        fixture.forgeOrderMemoryMb(hostile, BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE));
        long orderId = orderWithBids();

        Operator.passes(operators, 3);

        assertThat(reader.requireOrder(orderId).leaseId()).isPositive();
        assertThat(operators).allSatisfy(o -> assertThat(o.reconciler.decision(hostile)).isEmpty());
        // The fixture's chain serves the whole class: the hostile order goes, so later tests see only their own.
        fixture.tenant(2).cancelOrder(hostile);
    }

    /**
     * Review attack 10, the matchmaker's half: a picked provider that loses its eligibility after the window (here
     * by unstaking) cannot stall its match into a re-drawn seed. The operators notice, pass it over and match the
     * next candidate under the same seed, well before the order's deadline.
     */
    @Test
    void aPickThatLosesItsEligibilityIsReplacedByTheNextCandidateUnderTheSameSeed() {
        String snapshot = fixture.snapshot();
        try {
            operators = Operator.quorumOf(fixture, 3, 0);
            long orderId = orderWithBids();
            String seed = reader.seed(orderId).orElseThrow();
            String first = rankingUnder(orderId, seed).pick().orElseThrow().bid().provider();
            operators.get(1).down = true;
            operators.get(2).down = true;
            operators.get(0).pass(); // decided and signed for the first pick; no quorum yet
            int picked = providerIndex(first);
            fixture.provider(picked).requestUnstake(reader.provider(first).orElseThrow().stake());
            assertThat(reader.isEligible(first)).isFalse();
            operators.get(1).down = false;
            operators.get(2).down = false;

            Operator.passes(operators, 3);

            Order order = reader.requireOrder(orderId);
            assertThat(order.leaseId()).as("matched to the next candidate").isPositive();
            Lease lease = reader.requireLease(order.leaseId());
            assertThat(lease.provider()).isNotEqualToIgnoringCase(first);
            assertThat(order.anchoredSeed()).as("under the same seed").isEqualTo(seed);
            assertThat(leasesFor(orderId)).isEqualTo(1);
        } finally {
            operators.forEach(Operator::close);
            operators = List.of();
            fixture.revertTo(snapshot);
        }
    }

    /** Review attack 11, the matchmaker's half: past the order's match deadline nobody signs or submits it. */
    @Test
    void anOrderPastItsMatchDeadlineExpiresUnmatched() {
        operators = Operator.quorumOf(fixture, 3, 0);
        long orderId = orderWithBids();
        operators.get(1).down = true;
        operators.get(2).down = true;
        operators.get(0).pass();
        assertThat(operators.get(0).reconciler.decision(orderId).orElseThrow().status()).isEqualTo(MatchStatus.SIGNING);

        fixture.chain().mine(fixture.config().matchWindowBlocks() + 1);
        operators.get(1).down = false;
        operators.get(2).down = false;
        Operator.passes(operators, 2);

        assertThat(reader.requireOrder(orderId).isOpen()).isTrue();
        assertThat(reader.openOrderIds()).doesNotContain(orderId);
        assertThat(operators.get(0).reconciler.decision(orderId).orElseThrow().status()).isEqualTo(MatchStatus.EXPIRED);
        assertThat(submissionsOf(orderId)).isZero();
        fixture.tenant(0).cancelOrder(orderId);
    }

    private static Ranking rankingUnder(long orderId, String seed) {
        Order order = reader.requireOrder(orderId);
        List<Bid> bids = reader.bids(orderId);
        Map<String, Provider> providers = new HashMap<>();
        bids.forEach(b -> providers.put(b.provider(), reader.providerAt(b.provider(), b.placedBlock() - 1).orElseThrow()));
        return new Scorer(ScoringPolicy.defaults()).rank(order, bids, providers, seed);
    }

    private static int providerIndex(String address) {
        for (int i = 0; i < 4; i++) {
            if (fixture.provider(i).address().equalsIgnoreCase(address)) {
                return i;
            }
        }
        throw new IllegalArgumentException(address + " is not one of the fixture's providers");
    }

    /**
     * Issue 13: a pass per block reads no open order one by one (they come from the index) unless it needs a decision
     * now, so six open orders with nothing left to decide (no bid, already reported) cost the same calls as none.
     */
    @Test
    void aPassPerBlockCostsTheSameCallsWithOpenOrdersThatNeedNoDecision() {
        String snapshot = fixture.snapshot();
        try {
            // Every order earlier tests left open expires first, so that only this test's orders are open.
            fixture.chain().mine(fixture.config().bidWindowBlocks() + fixture.config().matchWindowBlocks() + 1);
            operators = Operator.quorumOf(fixture, 1, 0);
            Operator operator = operators.get(0);
            operator.pass();
            long[] none = callsOfAPassOneBlockLater(operator);
            for (int i = 0; i < 6; i++) {
                fixture.tenant(0).createOrder(gpuOrder(1, "H100", "eu-west", tokens(10)), tokens(20));
            }
            fixture.chain().mine(fixture.config().bidWindowBlocks() + 1);
            operator.pass();
            assertThat(operator.reconciler.openDecisions()).hasSize(6)
                    .allSatisfy(d -> assertThat(d.status()).isEqualTo(MatchStatus.NO_ELIGIBLE_BID));

            long[] six = callsOfAPassOneBlockLater(operator);

            assertThat(six).as("eth_call, all calls").containsExactly(none);
        } finally {
            operators.forEach(Operator::close);
            operators = List.of();
            fixture.revertTo(snapshot);
        }
    }

    /**
     * Issue 13: deciding an order reads its bidders' records together, one call per block its bids were placed in
     * (each read at the block before), not four calls a bidder plus one for each one's present eligibility; and a
     * pass while the order waits for its quorum reads neither its seed nor its order again, only its pick's present
     * eligibility, and a second pass at the same head reads nothing of the chain but its head.
     */
    @Test
    void decidingAnOrderReadsItsBiddersOneCallPerBidBlockAndSigningPassesReadOnlyThePicksEligibility() {
        String snapshot = fixture.snapshot();
        try {
            fixture.chain().mine(fixture.config().bidWindowBlocks() + fixture.config().matchWindowBlocks() + 1);
            // One operator of a threshold of two: it decides and signs, and waits for a second signature.
            operators = Operator.quorumOf(fixture, 1, 0);
            Operator operator = operators.get(0);
            operator.pass();
            long[] idle = callsOfAPassOneBlockLater(operator);
            long orderId = fixture.tenant(0).createOrder(gpuOrder(2, "H100", "eu-west", tokens(10)), tokens(100));
            // Three bids, mined in three blocks (anvil mines each transaction in its own block).
            fixture.provider(0).submitBid(orderId, tokens(6));
            fixture.provider(1).submitBid(orderId, tokens(4));
            fixture.provider(2).submitBid(orderId, tokens(2));
            operator.pass();
            assertThat(operator.reconciler.decision(orderId).orElseThrow().status())
                    .isEqualTo(MatchStatus.WAITING_WINDOW);
            long end = reader.requireOrder(orderId).bidWindowEnd();
            fixture.chain().mine(end - reader.blockNumber());

            long[] deciding = callsOfAPassOneBlockLater(operator);
            assertThat(operator.reconciler.decision(orderId).orElseThrow().status()).isEqualTo(MatchStatus.SIGNING);
            long[] signing = callsOfAPassOneBlockLater(operator);
            assertThat(operator.reconciler.decision(orderId).orElseThrow().status()).isEqualTo(MatchStatus.SIGNING);

            // Before: 4 a bidder and 1 for each one's eligibility, 15 for these three where 4 are read now.
            assertThat(deciding[0] - idle[0]).as("eth_calls of the decision: the match window (read once, at the "
                    + "first), seed, bid count, the bidders of each of 3 blocks, their present eligibility, the digest "
                    + "signed").isEqualTo(1 + 1 + 1 + 3 + 1 + 1);
            assertThat(signing[0] - idle[0]).as("eth_calls of a pass collecting signatures: the pick's eligibility")
                    .isEqualTo(1);
            assertThat(signing[1] - idle[1]).as("all calls of that pass").isEqualTo(1);
            var before = operator.chain.reader().connection().rpcStats();
            operator.pass();
            var after = operator.chain.reader().connection().rpcStats();
            assertThat(after.requests("eth_call") - before.requests("eth_call"))
                    .as("eth_calls of a second pass at the same head (a poll while signatures are collected)").isZero();
        } finally {
            operators.forEach(Operator::close);
            operators = List.of();
            fixture.revertTo(snapshot);
        }
    }

    private static long[] callsOfAPassOneBlockLater(Operator operator) {
        fixture.chain().mine(1);
        var before = operator.chain.reader().connection().rpcStats();
        operator.pass();
        var after = operator.chain.reader().connection().rpcStats();
        return new long[] {after.requests("eth_call") - before.requests("eth_call"), after.requests() - before.requests()};
    }

    private long orderWithBids() {
        long orderId = fixture.tenant(0).createOrder(gpuOrder(2, "H100", "eu-west", tokens(10)), tokens(100));
        fixture.provider(0).submitBid(orderId, tokens(6));
        fixture.provider(1).submitBid(orderId, tokens(4));
        fixture.provider(2).submitBid(orderId, tokens(2));
        fixture.closeBidWindow(orderId);
        return orderId;
    }

    /** The operator whose turn to send {@code orderId}'s match comes first. */
    private Operator firstToSubmit(long orderId) {
        return inPlace(orderId, 0);
    }

    /** The operator in place {@code turn} (0: first) of {@code orderId}'s submission order. */
    private Operator inPlace(long orderId, int turn) {
        List<String> all = operators.stream().map(o -> o.quorum.self()).toList();
        return operators.stream().filter(o -> SubmitOrder.turnOf(orderId, o.quorum.self(), all) == turn)
                .findFirst().orElseThrow();
    }

    private long submissionsOf(long orderId) {
        return operators.stream().flatMap(o -> o.events.submittedOrders.stream()).filter(id -> id == orderId).count();
    }

    static long leasesFor(long orderId) {
        return java.util.stream.LongStream.rangeClosed(1, reader.leaseCount())
                .filter(id -> reader.requireLease(id).orderId() == orderId).count();
    }

    private static Ranking independentRanking(long orderId) {
        Order order = reader.requireOrder(orderId);
        List<Bid> bids = reader.bids(orderId);
        Map<String, Provider> providers = new HashMap<>();
        // Provider records as of the block before each bid: what the provider advertised when it bid.
        bids.forEach(b -> providers.put(b.provider(), reader.providerAt(b.provider(), b.placedBlock() - 1).orElseThrow()));
        String seed = order.anchoredSeed();
        return new Scorer(ScoringPolicy.defaults()).rank(order, bids, providers, seed);
    }
}
