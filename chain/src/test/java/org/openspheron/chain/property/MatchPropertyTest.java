package org.openspheron.chain.property;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.chain.ProtocolFixture.gpuOrder;
import static org.openspheron.chain.ProtocolFixture.tokens;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.BeforeTry;
import net.jqwik.api.statistics.Statistics;
import org.openspheron.chain.ContractRevertException;
import org.openspheron.chain.GpuOffer;
import org.openspheron.chain.MatchmakerClient.MatchSignature;
import org.openspheron.chain.OrderState;
import org.openspheron.chain.ProtocolFixture;
import org.openspheron.chain.ProtocolReader;
import org.openspheron.chain.TransactionSender;
import org.web3j.crypto.Credentials;
import org.web3j.utils.Numeric;

/**
 * Laws of the match: only a quorum of distinct matchmaker operators creates a lease, and no lease exists without
 * a bid. One anvil chain with three operators; each try starts from the same snapshot.
 */
class MatchPropertyTest {
    private static final int OPERATORS = 3;
    /** Signer pool: 0..2 are the operators, 3..5 accounts that are not. */
    private static final int POOL = 6;
    private static ProtocolFixture protocol;
    private static String baseline;
    private static long biddedOrder;

    @BeforeContainer
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

    @AfterContainer
    static void stopChain() {
        protocol.close();
    }

    @BeforeTry
    void backToBaseline() {
        protocol.revertTo(baseline);
        baseline = protocol.snapshot();
    }

    private static Credentials signerKey(int index) {
        return index < OPERATORS ? protocol.matchmakerKey(index) : protocol.tenantKey(index);
    }

    // ------------------------------------------------------------------ only a quorum creates a lease

    // FULL shrinking stays on the test thread (see EscrowConservationPropertyTest).
    @Property(tries = 25, shrinking = ShrinkingMode.FULL)
    void onlyAQuorumOfDistinctOperatorsCreatesALease(@ForAll("signers") List<Integer> signers,
                                                      @ForAll boolean sortedBySigner,
                                                      @ForAll @IntRange(min = 1, max = OPERATORS) int threshold) {
        if (threshold != 2) {
            protocol.operatorSet().setThreshold(threshold);
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
        Statistics.label("outcome").collect(outcome);
        Statistics.label("quorum").collect(quorum);
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
    @Provide
    Arbitrary<List<Integer>> signers() {
        Arbitrary<List<Integer>> any = Arbitraries.integers().between(0, POOL - 1).list().ofMinSize(2).ofMaxSize(5);
        Arbitrary<List<Integer>> operators = Arbitraries.subsetOf(0, 1, 2).map(ArrayList::new);
        return Arbitraries.oneOf(any, operators);
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

    @Property(tries = 15, shrinking = ShrinkingMode.FULL)
    void noLeaseExistsWithoutABid(@ForAll @IntRange(max = 3) int bids,
                                  @ForAll("beyondTheBids") BigInteger offset,
                                  @ForAll boolean unknownOrder) {
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

        Statistics.label("bids on the order").collect(bids);
        assertThat(outcome).isEqualTo(unknownOrder ? "UnknownOrder" : "UnknownBid");
        assertThat(reader.leaseCount()).isZero();
        assertThat(reader.requireOrder(orderId).state()).isEqualTo(OrderState.OPEN);
        if (bids > 0) {
            // The same signatures for a bid that exists do make a lease: it was the missing bid that was refused.
            assertThat(submit(orderId, BigInteger.ZERO, quorum)).isEqualTo("lease");
        }
    }

    /** Offsets past the last bid: next to it, a little further, and anywhere up to uint256's range. */
    @Provide
    Arbitrary<BigInteger> beyondTheBids() {
        return Arbitraries.oneOf(
                Arbitraries.bigIntegers().between(BigInteger.ZERO, BigInteger.valueOf(300)),
                Arbitraries.bigIntegers().between(BigInteger.ZERO, BigInteger.TWO.pow(255)));
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
