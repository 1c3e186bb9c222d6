package org.openspheron.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.chain.ProtocolFixture.gpuOrder;
import static org.openspheron.chain.ProtocolFixture.tokens;
import static org.openspheron.chain.Reverts.assertReverts;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openspheron.chain.MatchmakerClient.MatchSignature;
import org.web3j.crypto.Credentials;

/** The matchmaker operator set: the owner admits and removes operators and sets the threshold matches need. */
class MatchmakerSetTest {
    @RegisterExtension
    static final ProtocolFixture protocol = ProtocolFixture.start();

    private ProtocolReader reader() {
        return protocol.reader();
    }

    private Credentials newcomer() {
        return protocol.chain().account(25);
    }

    @Test
    void theDeployedSetHasTheConfiguredOperatorsAndThreshold() {
        assertThat(reader().operators()).containsExactlyElementsOf(protocol.config().matchmakers());
        assertThat(reader().matchThreshold()).isEqualTo(2);
        assertThat(reader().isOperator(protocol.matchmakerKey(2).getAddress())).isTrue();
        assertThat(reader().isOperator(protocol.tenantKey(0).getAddress())).isFalse();
    }

    @Test
    void theOwnerAddsAnOperatorOnce() {
        String account = newcomer().getAddress();
        protocol.operatorSet().addOperator(account);
        assertThat(reader().isOperator(account)).isTrue();
        assertThat(reader().operators()).hasSize(4).contains(account);
        assertReverts("AlreadyOperator", () -> protocol.operatorSet().addOperator(account));
        assertReverts("ZeroAddress", () -> protocol.operatorSet().addOperator("0x" + "0".repeat(40)));
    }

    @Test
    void theOwnerRemovesAnOperatorWhileTheThresholdStaysReachable() {
        String removed = protocol.matchmakerKey(0).getAddress();
        protocol.operatorSet().removeOperator(removed);
        assertThat(reader().isOperator(removed)).isFalse();
        assertThat(reader().operators()).hasSize(2).doesNotContain(removed);

        assertReverts("NotAnOperator", () -> protocol.operatorSet().removeOperator(removed));
        // Two operators left with threshold two: removing another would make matching impossible.
        ContractRevertException revert = assertReverts("InvalidThreshold",
                () -> protocol.operatorSet().removeOperator(protocol.matchmakerKey(1).getAddress()));
        assertThat(revert.arguments()).containsExactly(BigInteger.TWO, BigInteger.ONE);
        assertThat(reader().operators()).hasSize(2);
    }

    @Test
    void theThresholdStaysBetweenOneAndTheNumberOfOperators() {
        protocol.operatorSet().setThreshold(3);
        assertThat(reader().matchThreshold()).isEqualTo(3);
        assertReverts("InvalidThreshold", () -> protocol.operatorSet().setThreshold(0));
        assertReverts("InvalidThreshold", () -> protocol.operatorSet().setThreshold(4));
        assertThat(reader().matchThreshold()).isEqualTo(3);
    }

    @Test
    void onlyTheOwnerChangesTheSet() {
        OperatorSetClient operator = new OperatorSetClient(protocol.connection(), protocol.matchmakerKey(0));
        ContractRevertException revert = assertReverts("OwnableUnauthorizedAccount",
                () -> operator.addOperator(newcomer().getAddress()));
        assertThat((String) revert.arguments().get(0)).isEqualToIgnoringCase(operator.address());
        assertReverts("OwnableUnauthorizedAccount", () -> operator.removeOperator(protocol.matchmakerKey(1).getAddress()));
        assertReverts("OwnableUnauthorizedAccount", () -> operator.setThreshold(1));
        assertThat(reader().operators()).hasSize(3);
        assertThat(reader().matchThreshold()).isEqualTo(2);
    }

    @Test
    void matchesFollowTheCurrentSet() {
        ProviderClient provider = protocol.registeredProvider(0, "us-east", "", List.of(new GpuOffer("H100", 1, 1)));
        long orderId = protocol.tenant(0).createOrder(gpuOrder(1, "H100", "us-east", tokens(4)), tokens(10));
        int bid = provider.submitBid(orderId, tokens(2));
        protocol.closeBidWindow(orderId);
        byte[] digest = reader().matchDigest(orderId, bid, reader().seed(orderId).orElseThrow());

        // A raised threshold refuses what two operators signed.
        protocol.operatorSet().setThreshold(3);
        var two = List.of(protocol.matchmaker(0).sign(digest), protocol.matchmaker(1).sign(digest));
        assertReverts("QuorumNotReached", () -> protocol.matchmaker(0).matchOrder(orderId, bid, two));

        // A removed operator's signature no longer counts; a newly added one's does.
        protocol.operatorSet().setThreshold(2);
        protocol.operatorSet().removeOperator(protocol.matchmakerKey(1).getAddress());
        assertReverts("SignerNotOperator", () -> protocol.matchmaker(0).matchOrder(orderId, bid, two));
        protocol.operatorSet().addOperator(newcomer().getAddress());
        var withNewcomer = List.of(protocol.matchmaker(0).sign(digest), MatchSignature.sign(digest, newcomer()));
        long leaseId = protocol.matchmaker(0).matchOrder(orderId, bid, withNewcomer);
        assertThat(reader().requireLease(leaseId).isActive()).isTrue();
    }
}
