package org.openspheron.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.openspheron.chain.ProtocolFixture.gpuOrder;
import static org.openspheron.chain.ProtocolFixture.tokens;
import static org.openspheron.chain.Reverts.assertReverts;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openspheron.chain.MatchmakerClient.MatchSignature;
import org.openspheron.chain.OperatorSetChange.Kind;
import org.openspheron.contracts.generated.MatchmakerSet;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameterName;

/**
 * The matchmaker operator set: the owner proposes admitting and removing operators and changing the threshold,
 * each change waits out the set's delay, and the threshold stays a strict majority of the operators.
 */
class MatchmakerSetTest {
    @RegisterExtension
    static final ProtocolFixture protocol = ProtocolFixture.start();

    private ProtocolReader reader() {
        return protocol.reader();
    }

    private OperatorSetClient set() {
        return protocol.operatorSet();
    }

    private Credentials newcomer() {
        return protocol.chain().account(25);
    }

    private String matchmaker(int i) {
        return protocol.matchmakerKey(i).getAddress();
    }

    @Test
    void theDeployedSetHasTheConfiguredOperatorsAndThreshold() {
        assertThat(reader().operators()).containsExactlyElementsOf(protocol.config().matchmakers());
        assertThat(reader().matchThreshold()).isEqualTo(2);
        assertThat(reader().isOperator(matchmaker(2))).isTrue();
        assertThat(reader().isOperator(protocol.tenantKey(0).getAddress())).isFalse();
        assertThat(set().changeDelay()).isEqualTo(Duration.ofSeconds(protocol.config().operatorChangeDelaySeconds()));
        assertThat(set().pendingChanges()).isEmpty();
        assertThat(set().owner()).isEqualToIgnoringCase(protocol.owner().getAddress());
    }

    @Test
    void theOwnerAddsAnOperatorOnce() {
        String account = newcomer().getAddress();
        protocol.executeAfterDelay(set().proposeAddOperator(account, 3));
        assertThat(reader().isOperator(account)).isTrue();
        assertThat(reader().operators()).hasSize(4).contains(account);
        assertThat(reader().matchThreshold()).isEqualTo(3);
        assertReverts("AlreadyOperator", () -> set().proposeAddOperator(account, 3));
        assertReverts("ZeroAddress", () -> set().proposeAddOperator("0x" + "0".repeat(40), 3));
    }

    @Test
    void theOwnerRemovesAnOperatorWhileTheThresholdStaysReachable() {
        String removed = matchmaker(0);
        protocol.executeAfterDelay(set().proposeRemoveOperator(removed, 2));
        assertThat(reader().isOperator(removed)).isFalse();
        assertThat(reader().operators()).hasSize(2).doesNotContain(removed);

        assertReverts("NotAnOperator", () -> set().proposeRemoveOperator(removed, 2));
        // Two operators left with threshold two: removing another at that threshold would make matching impossible.
        ContractRevertException revert = assertReverts("InvalidThreshold",
                () -> set().proposeRemoveOperator(matchmaker(1), 2));
        assertThat(revert.arguments()).containsExactly(BigInteger.TWO, BigInteger.ONE);
        assertThat(reader().operators()).hasSize(2);
    }

    @Test
    void thresholdBelowMajorityRefused() {
        // Three operators: one is no majority, four is more than there are.
        ContractRevertException one = assertReverts("ThresholdBelowMajority", () -> set().proposeThreshold(1));
        assertThat(one.arguments()).containsExactly(BigInteger.ONE, BigInteger.valueOf(3));
        assertReverts("ThresholdBelowMajority", () -> set().proposeThreshold(0));
        assertReverts("InvalidThreshold", () -> set().proposeThreshold(4));
        // A fourth operator needs the threshold raised with it: two of four is no majority.
        ContractRevertException add = assertReverts("ThresholdBelowMajority",
                () -> set().proposeAddOperator(newcomer().getAddress(), 2));
        assertThat(add.arguments()).containsExactly(BigInteger.TWO, BigInteger.valueOf(4));
        assertReverts("ThresholdBelowMajority", () -> set().proposeRemoveOperator(matchmaker(0), 1));
        assertThat(set().pendingChanges()).isEmpty();

        protocol.executeAfterDelay(set().proposeThreshold(3));
        assertThat(reader().matchThreshold()).isEqualTo(3);
    }

    @Test
    void thresholdBelowMajorityRefusedAtDeployment() {
        List<String> four = List.of(matchmaker(0), matchmaker(1), matchmaker(2), newcomer().getAddress());
        assertThatThrownBy(() -> ProtocolConfig.local(four, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("strict majority");
        // The contract refuses it too, whoever deploys it.
        TransactionSender deployer = protocol.sender(protocol.owner());
        ContractRevertException revert = assertReverts("ThresholdBelowMajority", () -> {
            try {
                MatchmakerSet.deploy(protocol.connection().web3j(), deployer.manager(),
                        protocol.connection().gasProvider(), four, BigInteger.TWO, BigInteger.valueOf(60)).send();
            } catch (RuntimeException e) {
                throw e.getCause() instanceof ContractRevertException refused ? refused : e; // web3j wraps it
            }
        });
        assertThat(revert.arguments()).containsExactly(BigInteger.TWO, BigInteger.valueOf(4));
    }

    @Test
    void operatorSetChangeWaitsForTheTimelock() {
        String account = newcomer().getAddress();
        Duration delay = set().changeDelay();
        long id = set().proposeAddOperator(account, 3);
        Instant proposedAt = chainTime();

        OperatorSetChange change = set().change(id).orElseThrow();
        assertThat(change.kind()).isEqualTo(Kind.ADD_OPERATOR);
        assertThat(change.account()).isEqualToIgnoringCase(account);
        assertThat(change.threshold()).isEqualTo(3);
        assertThat(change.executableAt()).isEqualTo(proposedAt.plus(delay));
        assertThat(set().pendingChanges()).containsExactly(change);

        // Proposed is not done: the set is unchanged until the delay has passed, for the owner as for anyone.
        assertThat(reader().isOperator(account)).isFalse();
        assertReverts("ChangeNotDue", () -> set().execute(id));
        protocol.chain().increaseTime(delay.dividedBy(2));
        assertReverts("ChangeNotDue", () -> set().execute(id));
        assertThat(reader().isOperator(account)).isFalse();
        assertThat(reader().matchThreshold()).isEqualTo(2);

        // Once due, anyone may carry it out, once.
        protocol.chain().increaseTime(delay.dividedBy(2));
        new OperatorSetClient(protocol.connection(), protocol.tenantKey(0)).execute(id);
        assertThat(reader().isOperator(account)).isTrue();
        assertThat(reader().matchThreshold()).isEqualTo(3);
        assertThat(set().change(id).orElseThrow().state()).isEqualTo(OperatorSetChange.State.EXECUTED);
        assertThat(set().pendingChanges()).isEmpty();
        assertReverts("ChangeNotPending", () -> set().execute(id));
    }

    @Test
    void theOwnerCancelsAPendingChange() {
        long id = set().proposeRemoveOperator(matchmaker(0), 2);
        set().cancel(id);
        assertThat(set().change(id).orElseThrow().state()).isEqualTo(OperatorSetChange.State.CANCELLED);
        assertThat(set().pendingChanges()).isEmpty();

        protocol.chain().increaseTime(set().changeDelay());
        assertReverts("ChangeNotPending", () -> set().execute(id));
        assertReverts("ChangeNotPending", () -> set().cancel(id));
        assertThat(reader().isOperator(matchmaker(0))).isTrue();
        assertThat(set().change(99)).isEmpty();
    }

    @Test
    void aChangeOvertakenByAnotherIsRefusedAtExecution() {
        // Each removal keeps two operators at threshold two when proposed; after the first, the second would not.
        long first = set().proposeRemoveOperator(matchmaker(0), 2);
        long second = set().proposeRemoveOperator(matchmaker(1), 2);
        protocol.executeAfterDelay(first);
        ContractRevertException revert = assertReverts("InvalidThreshold", () -> set().execute(second));
        assertThat(revert.arguments()).containsExactly(BigInteger.TWO, BigInteger.ONE);
        assertThat(reader().operators()).hasSize(2).contains(matchmaker(1));
    }

    @Test
    void onlyTheOwnerProposesOrCancels() {
        OperatorSetClient operator = new OperatorSetClient(protocol.connection(), protocol.matchmakerKey(0));
        ContractRevertException revert = assertReverts("OwnableUnauthorizedAccount",
                () -> operator.proposeAddOperator(newcomer().getAddress(), 3));
        assertThat((String) revert.arguments().get(0)).isEqualToIgnoringCase(operator.address());
        assertReverts("OwnableUnauthorizedAccount", () -> operator.proposeRemoveOperator(matchmaker(1), 2));
        assertReverts("OwnableUnauthorizedAccount", () -> operator.proposeThreshold(3));
        long id = set().proposeThreshold(3);
        assertReverts("OwnableUnauthorizedAccount", () -> operator.cancel(id));
        assertReverts("OwnableUnauthorizedAccount", () -> operator.transferOwnership(operator.address()));
        assertThat(set().pendingChanges()).hasSize(1);
        assertThat(reader().operators()).hasSize(3);
        assertThat(reader().matchThreshold()).isEqualTo(2);
    }

    @Test
    void ownershipTransferNeedsAcceptance() {
        Credentials successor = newcomer();
        OperatorSetClient next = new OperatorSetClient(protocol.connection(), successor);
        set().transferOwnership(successor.getAddress());

        // Offered, not moved: the old owner still holds the set and the successor cannot act yet.
        assertThat(set().owner()).isEqualToIgnoringCase(protocol.owner().getAddress());
        assertThat(set().pendingOwner()).hasValueSatisfying(a -> assertThat(a).isEqualToIgnoringCase(successor.getAddress()));
        assertReverts("OwnableUnauthorizedAccount", () -> next.proposeThreshold(3));
        // Nobody else can take the offer.
        OperatorSetClient stranger = new OperatorSetClient(protocol.connection(), protocol.tenantKey(0));
        assertReverts("OwnableUnauthorizedAccount", stranger::acceptOwnership);

        next.acceptOwnership();
        assertThat(set().owner()).isEqualToIgnoringCase(successor.getAddress());
        assertThat(set().pendingOwner()).isEmpty();
        assertReverts("OwnableUnauthorizedAccount", () -> set().proposeThreshold(3));
        next.proposeThreshold(3);
    }

    /**
     * Attack 12: with a single-step owner and no floor, the owner added its own key and set the threshold to one in
     * two transactions, then matched orders alone. (Seen failing on the contract before the fix: the owner's lone
     * signature made a lease.)
     */
    @Test
    void ownerCannotAddItselfAndSetThresholdOne() {
        ProviderClient provider = protocol.registeredProvider(0, "us-east", "", List.of(new GpuOffer("H100", 1, 1)));
        long orderId = protocol.tenant(0).createOrder(gpuOrder(1, "H100", "us-east", tokens(4)), tokens(10));
        int bid = provider.submitBid(orderId, tokens(2));
        protocol.closeBidWindow(orderId);
        byte[] digest = reader().matchDigest(orderId, bid, reader().seed(orderId).orElseThrow());
        Credentials owner = protocol.owner();
        MatchmakerClient ownerMatching = new MatchmakerClient(protocol.connection(), owner);
        var alone = List.of(MatchSignature.sign(digest, owner));

        assertReverts("ThresholdBelowMajority", () -> set().proposeAddOperator(owner.getAddress(), 1));
        assertReverts("ThresholdBelowMajority", () -> set().proposeThreshold(1));
        assertReverts("QuorumNotReached", () -> ownerMatching.matchOrder(orderId, bid, alone));

        // What the floor allows, the owner as the fourth operator at three of four, still leaves it one voice of three.
        protocol.executeAfterDelay(set().proposeAddOperator(owner.getAddress(), 3));
        assertThat(reader().isOperator(owner.getAddress())).isTrue();
        assertReverts("QuorumNotReached", () -> ownerMatching.matchOrder(orderId, bid, alone));
        assertThat(reader().leaseCount()).isZero();
    }

    @Test
    void matchesFollowTheCurrentSet() {
        ProviderClient provider = protocol.registeredProvider(0, "us-east", "", List.of(new GpuOffer("H100", 1, 1)));
        long orderId = protocol.tenant(0).createOrder(gpuOrder(1, "H100", "us-east", tokens(4)), tokens(10));
        int bid = provider.submitBid(orderId, tokens(2));
        protocol.closeBidWindow(orderId);
        byte[] digest = reader().matchDigest(orderId, bid, reader().seed(orderId).orElseThrow());

        // A raised threshold refuses what two operators signed.
        protocol.executeAfterDelay(set().proposeThreshold(3));
        var two = List.of(protocol.matchmaker(0).sign(digest), protocol.matchmaker(1).sign(digest));
        assertReverts("QuorumNotReached", () -> protocol.matchmaker(0).matchOrder(orderId, bid, two));

        // A removed operator's signature no longer counts; a newly added one's does.
        protocol.executeAfterDelay(set().proposeRemoveOperator(matchmaker(1), 2));
        assertReverts("SignerNotOperator", () -> protocol.matchmaker(0).matchOrder(orderId, bid, two));
        protocol.executeAfterDelay(set().proposeAddOperator(newcomer().getAddress(), 2));
        var withNewcomer = List.of(protocol.matchmaker(0).sign(digest), MatchSignature.sign(digest, newcomer()));
        long leaseId = protocol.matchmaker(0).matchOrder(orderId, bid, withNewcomer);
        assertThat(reader().requireLease(leaseId).isActive()).isTrue();
    }

    private static Instant chainTime() {
        try {
            return Instant.ofEpochSecond(protocol.connection().web3j()
                    .ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send().getBlock()
                    .getTimestamp().longValueExact());
        } catch (IOException e) {
            throw new ChainException("reading the latest block failed: " + e.getMessage(), e);
        }
    }
}
