package org.openspheron.chain;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.RemoteFunctionCall;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.exceptions.TransactionException;
import org.web3j.tx.FastRawTransactionManager;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;

/**
 * Sends one account's transactions, one at a time: the nonce is kept locally and re-read from the node after any
 * failure, gas is estimated per call (so a call that would revert fails before it is sent, with the contract's
 * error), and a mined transaction that reverted is reported with its decoded error.
 */
public final class TransactionSender {
    private static final System.Logger LOG = System.getLogger(TransactionSender.class.getName());

    private final ChainConnection connection;
    private final Credentials credentials;
    private final FastRawTransactionManager manager;

    TransactionSender(ChainConnection connection, Credentials credentials, Duration receiptTimeout) {
        this.connection = connection;
        this.credentials = credentials;
        long pollMillis = 100;
        this.manager = new FastRawTransactionManager(connection.web3j(), credentials, connection.chainId(),
                new PollingTransactionReceiptProcessor(connection.web3j(), pollMillis,
                        (int) Math.max(1, receiptTimeout.toMillis() / pollMillis)));
    }

    public String address() {
        return credentials.getAddress();
    }

    public Credentials credentials() {
        return credentials;
    }

    public ChainConnection connection() {
        return connection;
    }

    FastRawTransactionManager manager() {
        return manager;
    }

    /**
     * Sends the call and waits for its receipt.
     *
     * @param action what the caller is doing, for error messages, e.g. {@code "submitBid(order 7)"}
     */
    public synchronized TransactionReceipt send(String action, RemoteFunctionCall<TransactionReceipt> call) {
        try {
            TransactionReceipt receipt = call.send();
            if (!receipt.isStatusOK()) {
                throw new ChainException(action + " reverted in transaction " + receipt.getTransactionHash());
            }
            LOG.log(System.Logger.Level.DEBUG, "{0} mined in {1}, gas {2}", action, receipt.getTransactionHash(), receipt.getGasUsed());
            return receipt;
        } catch (ContractRevertException e) {
            resync();
            throw e.during(action);
        } catch (TransactionException e) {
            resync();
            throw new ChainException(action + " failed: " + e.getMessage(), e);
        } catch (IOException e) {
            resync();
            throw new ChainException(action + " could not be sent: " + e.getMessage(), e);
        } catch (ChainException e) {
            resync();
            throw e;
        } catch (Exception e) {
            resync();
            throw new ChainException(action + " failed: " + e.getMessage(), e);
        }
    }

    /** The next nonce this sender would use (for diagnostics and tests). */
    public BigInteger currentNonce() {
        return manager.getCurrentNonce();
    }

    private void resync() {
        try {
            manager.resetNonce();
        } catch (IOException | RuntimeException e) {
            // The node is away; the nonce is re-read on the next send that reaches it.
            manager.clearNonce();
        }
    }
}
