package org.openspheron.matchmaker.scoring;

import java.math.BigInteger;
import java.util.List;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * The stake-weighted draw. Its randomness is keccak256(seed || orderId), read as a 256-bit integer and scaled onto
 * the candidates' total stake, so every operator with the same chain state draws the same value on any platform
 * (no java.util.Random, no floating point), and a provider's chance is its stake over the candidates' total.
 */
public final class StakeDraw {
    private static final int BITS = 256;

    private StakeDraw() {
    }

    /** A value uniform in [0, total): floor(keccak256(seed || orderId) * total / 2^256). */
    public static BigInteger value(String seed, long orderId, BigInteger total) {
        if (total.signum() <= 0) {
            return BigInteger.ZERO;
        }
        byte[] seedBytes = Numeric.hexStringToByteArray(seed);
        if (seedBytes.length != 32) {
            throw new IllegalArgumentException("a seed has 32 bytes, not " + seedBytes.length + ": " + seed);
        }
        byte[] input = new byte[64];
        System.arraycopy(seedBytes, 0, input, 0, 32);
        byte[] id = Numeric.toBytesPadded(BigInteger.valueOf(orderId), 32);
        System.arraycopy(id, 0, input, 32, 32);
        BigInteger uniform = new BigInteger(1, Hash.sha3(input));
        return uniform.multiply(total).shiftRight(BITS);
    }

    /** The candidate whose cumulative stake interval holds {@code value}; candidates keep their ranking order. */
    public static RankedBid pick(List<RankedBid> candidates, BigInteger value) {
        BigInteger cumulative = BigInteger.ZERO;
        for (RankedBid candidate : candidates) {
            cumulative = cumulative.add(candidate.stake());
            if (value.compareTo(cumulative) < 0) {
                return candidate;
            }
        }
        throw new IllegalArgumentException("draw " + value + " is beyond the candidates' total stake " + cumulative);
    }

    public static BigInteger totalStake(List<RankedBid> candidates) {
        return candidates.stream().map(RankedBid::stake).reduce(BigInteger.ZERO, BigInteger::add);
    }
}
