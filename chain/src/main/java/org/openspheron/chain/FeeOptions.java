package org.openspheron.chain;

import java.io.IOException;
import java.math.BigInteger;
import java.util.Optional;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.EthBlock;

/**
 * How an EIP-1559 transaction's fees are set. Either cap may be fixed; what is not fixed follows the chain: the
 * priority fee is the node's {@code eth_maxPriorityFeePerGas}, the fee cap twice the latest base fee plus that
 * priority fee, so a transaction still fits after six full blocks in a row (each may raise the base fee by 12.5%).
 *
 * @param maxFeePerGas a fixed fee cap in wei, or empty to follow the base fee
 * @param maxPriorityFeePerGas a fixed tip in wei, or empty for the node's suggestion
 */
public record FeeOptions(Optional<BigInteger> maxFeePerGas, Optional<BigInteger> maxPriorityFeePerGas) {
    public static final FeeOptions FROM_CHAIN = new FeeOptions(Optional.empty(), Optional.empty());

    public FeeOptions {
        maxFeePerGas.ifPresent(v -> requirePositive("maxFeePerGas", v));
        maxPriorityFeePerGas.ifPresent(v -> requireNotNegative("maxPriorityFeePerGas", v));
    }

    /** What the fees are now. Throws {@link ChainException} for a chain without a base fee (before London). */
    public FeeQuote quote(Web3j web3j) {
        BigInteger baseFee = latestBaseFee(web3j).orElseThrow(() -> new ChainException(
                "the chain's latest block has no base fee: it does not take EIP-1559 transactions"));
        BigInteger tip = maxPriorityFeePerGas.orElseGet(() -> suggestedTip(web3j));
        BigInteger cap = maxFeePerGas.orElseGet(() -> baseFee.multiply(BigInteger.TWO).add(tip));
        // A node refuses a tip above the cap; a fixed cap below the suggested tip caps the tip too.
        return new FeeQuote(baseFee, tip.min(cap), cap);
    }

    /** The latest block's base fee, or empty on a chain without EIP-1559. */
    public static Optional<BigInteger> latestBaseFee(Web3j web3j) {
        try {
            EthBlock.Block block = web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send().getBlock();
            return block.getBaseFeePerGasRaw() == null ? Optional.empty() : Optional.of(block.getBaseFeePerGas());
        } catch (IOException e) {
            throw new ChainException("cannot read the latest block's base fee: " + e.getMessage(), e);
        }
    }

    private static BigInteger suggestedTip(Web3j web3j) {
        try {
            var response = web3j.ethMaxPriorityFeePerGas().send();
            if (response.hasError()) {
                throw new ChainException("the node does not suggest a priority fee (" + response.getError().getMessage()
                        + "); set one");
            }
            return response.getMaxPriorityFeePerGas();
        } catch (IOException e) {
            throw new ChainException("cannot read the priority fee: " + e.getMessage(), e);
        }
    }

    private static void requirePositive(String name, BigInteger value) {
        if (value.signum() <= 0) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }

    private static void requireNotNegative(String name, BigInteger value) {
        if (value.signum() < 0) {
            throw new IllegalArgumentException(name + " must not be negative");
        }
    }

    /**
     * The fees at one moment, in wei per gas.
     *
     * @param baseFee the latest block's base fee
     * @param maxPriorityFeePerGas the tip offered to the block's producer
     * @param maxFeePerGas the most paid per gas, base fee and tip together
     */
    public record FeeQuote(BigInteger baseFee, BigInteger maxPriorityFeePerGas, BigInteger maxFeePerGas) {
        /** What {@code gas} costs if the base fee stays as it is. */
        public BigInteger expectedCost(BigInteger gas) {
            return gas.multiply(baseFee.add(maxPriorityFeePerGas).min(maxFeePerGas));
        }

        /** The most {@code gas} can cost under these caps. */
        public BigInteger maxCost(BigInteger gas) {
            return gas.multiply(maxFeePerGas);
        }
    }
}
