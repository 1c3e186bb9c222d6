package org.openspheron.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.MatchmakerClient.MatchSignature;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Sign;
import org.web3j.utils.Numeric;

/** What a match signature must be for the contract (OpenZeppelin's ECDSA.recover) to take it. */
class MatchSignatureTest {
    private static final Credentials OPERATOR = Credentials.create("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
    private static final byte[] DIGEST = Hash.sha3("match 7/2".getBytes(StandardCharsets.UTF_8));

    @Test
    void aSignatureRecoversToItsSigner() {
        MatchSignature signature = MatchSignature.sign(DIGEST, OPERATOR);

        assertThat(MatchSignature.recover(DIGEST, signature.bytes())).isEqualToIgnoringCase(OPERATOR.getAddress());
    }

    /**
     * Review: web3j recovers the high-s twin of a signature (s' = n - s, v flipped) to the same signer, but the
     * contract reverts on it. Anyone with a peer token could post the twin of an operator's public signature to that
     * operator as its own, and every matchOrder carrying it reverted until the order expired. The twin is refused.
     */
    @Test
    void theHighSTwinOfAnOperatorsSignatureIsRefused() {
        byte[] twin = MatchSignature.sign(DIGEST, OPERATOR).bytes().clone();
        BigInteger s = new BigInteger(1, java.util.Arrays.copyOfRange(twin, 32, 64));
        byte[] highS = Numeric.toBytesPadded(Sign.CURVE_PARAMS.getN().subtract(s), 32);
        System.arraycopy(highS, 0, twin, 32, 32);
        twin[64] = (byte) (twin[64] == 27 ? 28 : 27);

        assertThatThrownBy(() -> MatchSignature.recover(DIGEST, twin)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("s is in the upper half");
    }

    @Test
    void aVOtherThan27Or28IsRefused() {
        byte[] signature = MatchSignature.sign(DIGEST, OPERATOR).bytes().clone();
        signature[64] = (byte) (signature[64] - 27); // the 0/1 form some signers produce, which the contract refuses

        assertThatThrownBy(() -> MatchSignature.recover(DIGEST, signature)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("v is");
    }
}
