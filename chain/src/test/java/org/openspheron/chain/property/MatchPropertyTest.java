package org.openspheron.chain.property;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.chain.ProtocolFixture.gpuOrder;
import static org.openspheron.chain.ProtocolFixture.tokens;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.Generate.oneOf;
import static org.quicktheories.generators.SourceDSL.bigIntegers;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.ContractRevertException;
import org.openspheron.chain.GpuOffer;
import org.openspheron.chain.MatchmakerClient.MatchSignature;
import org.openspheron.chain.OrderState;
import org.openspheron.chain.ProtocolFixture;
import org.openspheron.chain.ProtocolReader;
import org.openspheron.chain.TransactionSender;
import org.quicktheories.core.Gen;
import org.web3j.crypto.Credentials;
import org.web3j.utils.Numeric;

/**
 * Laws of the match: only a quorum of distinct matchmaker operators creates a lease, and no lease exists without
 * a bid. One anvil chain with three operators; each try starts from the same snapshot. A failure ends with
 * "Seed was N"; {@code -DQT_SEED=N} replays the same tries.
 */
class MatchPropertyTest {
    private static final int OPERATORS = 3;
    /** Signer pool: 0..2 are the operators, 3..5 accounts that are not. */
    private static final int POOL = 6;
    private static ProtocolFixture protocol;
    private static String baseline;
    private static long biddedOrder;

    @BeforeAll
    static void startChain() {
        protocol = ProtocolFixture.start(OPERATORS, 2);
        List<GpuOffer> gpus = List.of(new GpuOffer("H100", 4, 4));
        for (int p = 0; p < 3; p++) {
            protocol.registeredProvider(p, "us-east", "", gpus);
        }
        biddedOrder = protocol.tenant(0).createOrder(gpuOrder(1, "H100", "us-east", tokens(4)), tokens(10));
        protocol.provider(0).submitBid(biddedOrder, tokens(3));
        protocol.closeBidWindow(biddedOrder);
        baseline = protocol.snapshot();
    }

    @AfterAll
    static void stopChain() {
        protocol.close();
    }

    /** At the start of every try, including those that shrinking replays. */
    private static void backToBaseline() {
        protocol.revertTo(baseline);
        baseline = protocol.snapshot();
    }

    private static Credentials signerKey(int index) {
        return index < OPERATORS ? protocol.matchmakerKey(index) : protocol.tenantKey(index);
    }

    // ------------------------------------------------------------------ only a quorum creates a lease

    // 30 tries, up from 25: QuickTheories skips a draw it has already tried, and half of this space is small.
    // Shrinking replays tries on the chain, hence the cap. Thresholds are those the set accepts: a strict majority.
    @Test
    void onlyAQuorumOfDistinctOperatorsCreatesALease() {
        Tally tally = new Tally("onlyAQuorumOfDistinctOperatorsCreatesALease");
        qt().withExamples(30).withShrinkCycles(100)
                .forAll(signers(), booleans().all(), integers().between(OPERATORS / 2 + 1, OPERATORS))
                .checkAssert((signers, sortedBySigner, threshold) -> {
                    backToBaseline();
                    onlyAQuorumCreatesALease(signers, sortedBySigner, threshold, tally);
                });
        tally.print();
    }

    private void onlyAQuorumCreatesALease(List<Integer> signers, boolean sortedBySigner, int threshold, Tally tally) {
        if (threshold != 2) {
            protocol.executeAfterDelay(protocol.operatorSet().proposeThreshold(threshold));
        }
        ProtocolReader reader = protocol.reader();
        byte[] digest = reader.matchDigest(biddedOrder, 0, reader.seed(biddedOrder).orElseThrow());
        List<MatchSignature> signatures = new ArrayList<>();
        for (int s : signers) {
            signatures.add(MatchSignature.sign(digest, signerKey(s)));
        }
        if (sortedBySigner) {
            signatures.sort(Comparator.comparing(s -> Numeric.toBigInt(s.signer())));
        }

        String outcome = submit(biddedOrder, BigInteger.ZERO, signatures);

        boolean quorum = isQuorumOfDistinctOperators(signatures, threshold);
        tally.count("outcome", outcome);
        tally.count("quorum", quorum);
        if (quorum) {
            assertThat(outcome).isEqualTo("lease");
            assertThat(reader.leaseCount()).isEqualTo(1);
            assertThat(reader.requireOrder(biddedOrder).state()).isEqualTo(OrderState.MATCHED);
        } else {
            assertThat(outcome).isIn("QuorumNotReached", "SignaturesNotSorted", "SignerNotOperator");
            assertThat(reader.leaseCount()).isZero();
            assertThat(reader.requireOrder(biddedOrder).state()).isEqualTo(OrderState.OPEN);
        }
    }

    /** Half the time any list from the pool (duplicates, non-operators); half the time a set of operators. */
    private static Gen<List<Integer>> signers() {
        Gen<List<Integer>> any = lists().of(integers().between(0, POOL - 1)).ofType(lists().arrayList())
                .ofSizeBetween(2, 5);
        Gen<List<Integer>> operators = lists().of(booleans().all()).ofType(lists().arrayList()).ofSize(OPERATORS)
                .map(chosen -> {
                    List<Integer> subset = new ArrayList<>();
                    for (int i = 0; i < OPERATORS; i++) {
                        if (chosen.get(i)) {
                            subset.add(i);
                        }
                    }
                    return subset;
                });
        return oneOf(any, operators);
    }

    /** The law, stated over what was submitted: at least threshold signers, all operators, strictly ascending. */
    private static boolean isQuorumOfDistinctOperators(List<MatchSignature> signatures, int threshold) {
        Set<String> operators = new HashSet<>();
        for (int i = 0; i < OPERATORS; i++) {
            operators.add(signerKey(i).getAddress().toLowerCase());
        }
        BigInteger previous = BigInteger.valueOf(-1);
        for (MatchSignature s : signatures) {
            BigInteger signer = Numeric.toBigInt(s.signer());
            if (!operators.contains(s.signer().toLowerCase()) || signer.compareTo(previous) <= 0) {
                return false;
            }
            previous = signer;
        }
        return signatures.size() >= threshold;
    }

    // ------------------------------------------------------------------ no lease without a bid

    @Test
    void noLeaseExistsWithoutABid() {
        Tally tally = new Tally("noLeaseExistsWithoutABid");
        qt().withExamples(15).withShrinkCycles(100)
                .forAll(integers().between(0, 3), beyondTheBids(), booleans().all())
                .checkAssert((bids, offset, unknownOrder) -> {
                    backToBaseline();
                    noLeaseWithoutABid(bids, offset, unknownOrder, tally);
                });
        tally.print();
    }

    private void noLeaseWithoutABid(int bids, BigInteger offset, boolean unknownOrder, Tally tally) {
        long orderId = protocol.tenant(1).createOrder(gpuOrder(1, "H100", "us-east", tokens(4)), tokens(10));
        for (int p = 0; p < bids; p++) {
            protocol.provider(p).submitBid(orderId, tokens(3 - p));
        }
        protocol.closeBidWindow(orderId);
        ProtocolReader reader = protocol.reader();
        // A real quorum, signed over bid 0 when there is one (else over the order's seed alone).
        byte[] digest = bids > 0
                ? reader.matchDigest(orderId, 0, reader.seed(orderId).orElseThrow())
                : Numeric.hexStringToByteArray(reader.seed(orderId).orElseThrow());
        List<MatchSignature> quorum = new ArrayList<>();
        for (int i = 0; i < OPERATORS; i++) {
            quorum.add(MatchSignature.sign(digest, signerKey(i)));
        }
        quorum.sort(Comparator.comparing(s -> Numeric.toBigInt(s.signer())));
        long target = unknownOrder ? reader.orderCount() + 1 + offset.mod(BigInteger.valueOf(1000)).longValue() : orderId;
        BigInteger bidIndex = BigInteger.valueOf(bids).add(offset);

        String outcome = submit(target, bidIndex, quorum);

        tally.count("bids on the order", bids);
        assertThat(outcome).isEqualTo(unknownOrder ? "UnknownOrder" : "UnknownBid");
        assertThat(reader.leaseCount()).isZero();
        assertThat(reader.requireOrder(orderId).state()).isEqualTo(OrderState.OPEN);
        if (bids > 0) {
            // The same signatures for a bid that exists do make a lease: it was the missing bid that was refused.
            assertThat(submit(orderId, BigInteger.ZERO, quorum)).isEqualTo("lease");
        }
    }

    /**
     * Offsets past the last bid: next to it, a little further, and anywhere up to uint256's range (0 to 2^255,
     * 1 to 32 random bytes, so every order of magnitude comes up).
     */
    private static Gen<BigInteger> beyondTheBids() {
        return oneOf(integers().between(0, 300).map(BigInteger::valueOf), bigIntegers().ofBytes(32).map(BigInteger::abs));
    }

    /** Submits the match as given (no sorting), from a fresh sender; returns "lease" or the custom error's name. */
    private static String submit(long orderId, BigInteger bidIndex, List<MatchSignature> signatures) {
        TransactionSender submitter = protocol.sender(protocol.matchmakerKey(0));
        try {
            submitter.send("matchOrder", protocol.ordersContract(submitter).matchOrder(BigInteger.valueOf(orderId),
                    bidIndex, signatures.stream().map(MatchSignature::bytes).toList()));
            return "lease";
        } catch (ContractRevertException e) {
            return e.errorName();
        }
    }
}
