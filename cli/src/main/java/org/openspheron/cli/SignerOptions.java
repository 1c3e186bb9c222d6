package org.openspheron.cli;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.openspheron.chain.FeeOptions;
import org.web3j.crypto.Credentials;
import org.web3j.utils.Convert;
import picocli.CommandLine.Option;

/**
 * Who signs an administrator's transactions and what fees they offer: the protocol commands send EIP-1559
 * transactions, priced from the chain unless fixed here.
 */
public class SignerOptions {
    @Option(names = "--key-file", paramLabel = "FILE", description = "A file holding the signing key as hex "
            + "(default: the account key in the home directory).")
    Path keyFile;

    @Option(names = "--max-fee-per-gas", paramLabel = "GWEI", description = "Most to pay per gas, base fee and tip "
            + "together (default: twice the latest base fee plus the priority fee).")
    BigDecimal maxFeeGwei;

    @Option(names = "--priority-fee-per-gas", paramLabel = "GWEI", description = "Tip per gas for the block's producer "
            + "(default: the node's eth_maxPriorityFeePerGas).")
    BigDecimal priorityFeeGwei;

    Credentials credentials(Home home) {
        if (keyFile == null) {
            return home.credentials();
        }
        try {
            String hex = Files.readString(keyFile, StandardCharsets.US_ASCII).trim();
            if (!hex.matches("(0x)?[0-9a-fA-F]{64}")) {
                throw new CliException(keyFile + " does not hold a 32-byte hex private key");
            }
            return Credentials.create(hex);
        } catch (IOException e) {
            throw new CliException("cannot read " + keyFile + ": " + e.getMessage());
        }
    }

    FeeOptions fees() {
        try {
            return new FeeOptions(Optional.ofNullable(maxFeeGwei).map(g -> wei("--max-fee-per-gas", g)),
                    Optional.ofNullable(priorityFeeGwei).map(g -> wei("--priority-fee-per-gas", g)));
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
    }

    private static BigInteger wei(String option, BigDecimal gwei) {
        BigDecimal wei = Convert.toWei(gwei, Convert.Unit.GWEI);
        if (wei.signum() < 0 || wei.stripTrailingZeros().scale() > 0) {
            throw new CliException(option + " " + gwei.toPlainString() + " is not a whole number of wei");
        }
        return wei.toBigIntegerExact();
    }

    /** {@code 0.0123 gwei}. */
    static String gwei(BigInteger wei) {
        return Convert.fromWei(new BigDecimal(wei), Convert.Unit.GWEI).stripTrailingZeros().toPlainString() + " gwei";
    }

    /** {@code 0.0123 ETH} to six significant digits (the native currency: ETH on Ethereum and its rollups). */
    static String ether(BigInteger wei) {
        BigDecimal eth = Convert.fromWei(new BigDecimal(wei), Convert.Unit.ETHER).round(new java.math.MathContext(6))
                .stripTrailingZeros();
        return (eth.signum() == 0 ? "0" : eth.toPlainString()) + " ETH";
    }
}
