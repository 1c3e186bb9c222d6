package org.openspheron.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.chain.ProtocolFixture.tokens;
import static org.openspheron.chain.Reverts.assertReverts;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The local stand-in stablecoin: only its owner (the local faucet) mints. */
class PaymentTokenTest {
    @RegisterExtension
    static final ProtocolFixture protocol = ProtocolFixture.start();

    @Test
    void theOwnerMintsAndNobodyElseCan() {
        String receiver = protocol.chain().account(26).getAddress();
        BigInteger before = protocol.reader().tokenBalance(receiver);
        ProtocolDeployer.mint(protocol.connection(), protocol.owner(), receiver, tokens(7));
        assertThat(protocol.reader().tokenBalance(receiver)).isEqualTo(before.add(tokens(7)));

        ContractRevertException revert = assertReverts("OwnableUnauthorizedAccount",
                () -> ProtocolDeployer.mint(protocol.connection(), protocol.tenantKey(0), receiver, BigInteger.ONE));
        assertThat((String) revert.arguments().get(0)).isEqualToIgnoringCase(protocol.tenantKey(0).getAddress());
        assertThat(protocol.reader().tokenBalance(receiver)).isEqualTo(before.add(tokens(7)));
    }
}
