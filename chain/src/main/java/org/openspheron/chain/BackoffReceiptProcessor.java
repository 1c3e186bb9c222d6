package org.openspheron.chain;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.EthGetTransactionReceipt;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.exceptions.TransactionException;
import org.web3j.tx.response.TransactionReceiptProcessor;

/**
 * Waits for a receipt asking at once, then after 100 ms, doubling the pause up to a second. A fixed 100 ms poll asked
 * about twenty times per transaction on a chain of 2-second blocks (six times a provider operator's other calls a
 * block in the market benchmark) and a hundred times on 12-second blocks, all against the endpoint's rate limit; this
 * asks five or six times on 2-second blocks and about fifteen on 12-second ones, and a local chain that mines on
 * each transaction still answers the first ask.
 */
final class BackoffReceiptProcessor extends TransactionReceiptProcessor {
    private static final long FIRST_PAUSE_MILLIS = 100;
    private static final long LONGEST_PAUSE_MILLIS = 1_000;

    private final Web3j web3j;
    private final Duration timeout;

    BackoffReceiptProcessor(Web3j web3j, Duration timeout) {
        super(web3j);
        this.web3j = web3j;
        this.timeout = timeout;
    }

    @Override
    public TransactionReceipt waitForTransactionReceipt(String transactionHash) throws IOException, TransactionException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_PAUSE_MILLIS;
        while (true) {
            EthGetTransactionReceipt answer = web3j.ethGetTransactionReceipt(transactionHash).send();
            if (answer.hasError()) {
                throw new TransactionException("Error processing request: " + answer.getError().getMessage());
            }
            Optional<TransactionReceipt> receipt = answer.getTransactionReceipt();
            if (receipt.isPresent()) {
                return receipt.get();
            }
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new TransactionException("Transaction receipt was not generated after " + timeout.toSeconds()
                        + " seconds for transaction: " + transactionHash, transactionHash);
            }
            try {
                Thread.sleep(Math.min(pause, left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TransactionException("interrupted waiting for the receipt of " + transactionHash, transactionHash);
            }
            pause = Math.min(pause * 2, LONGEST_PAUSE_MILLIS);
        }
    }
}
