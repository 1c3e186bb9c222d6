package org.openspheron.chain;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.RemoteFunctionCall;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.exceptions.TransactionException;
import org.web3j.tx.FastRawTransactionManager;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;

/**
 * Sends one account's transactions, one at a time: the nonce is kept locally and re-read from the node after any
 * failure, gas is estimated per call (so a call that would revert fails before it is sent, with the contract's
 * error), and a mined transaction that reverted (estimated against an earlier state) is reported with its decoded
 * error, as a {@link ContractRevertException}.
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
        TransactionReceipt receipt = sendOnce(action, call);
        if (!receipt.isStatusOK()) {
            // (web3j's wrappers report a failed status as a TransactionException; a raw call may return it.)
            resync();
            throw minedRevert(action, receipt);
        }
        LOG.log(System.Logger.Level.DEBUG, "{0} mined in {1}, gas {2}", action, receipt.getTransactionHash(), receipt.getGasUsed());
        return receipt;
    }

    private TransactionReceipt sendOnce(String action, RemoteFunctionCall<TransactionReceipt> call) {
        try {
            return call.send();
        } catch (ContractRevertException e) {
            resync();
            throw e.during(action);
        } catch (TransactionException e) {
            resync();
            if (e.getTransactionReceipt().isPresent()) {
                // Mined, and reverted: gas estimation passed against an earlier state (e.g. another matchmaker's
                // match of the same order was mined first). Nothing of ours is pending.
                throw minedRevert(action, e.getTransactionReceipt().get());
            }
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

    /**
     * The error of a transaction that was mined and reverted. A receipt carries no revert data, so the transaction is
     * replayed with {@code eth_call} on the state its block left, where the cause of a lost race (the order already
     * matched, the window closed) still holds: the contract's custom error, decoded like an estimation's refusal.
     * When the replay passes (the revert was, e.g., out of gas) or cannot be made, the error says what is known.
     */
    private ChainException minedRevert(String action, TransactionReceipt receipt) {
        String where = " in transaction " + receipt.getTransactionHash() + " (block " + receipt.getBlockNumber()
                + ", gas used " + receipt.getGasUsed() + ")";
        try {
            var sent = connection.web3j().ethGetTransactionByHash(receipt.getTransactionHash()).send().getTransaction();
            if (sent.isEmpty()) {
                return new ChainException(action + " reverted" + where);
            }
            var tx = sent.get();
            EthCall replay = connection.web3j().ethCall(
                    Transaction.createFunctionCallTransaction(tx.getFrom(), null, null, tx.getGas(), tx.getTo(),
                            tx.getValue(), tx.getInput()),
                    DefaultBlockParameter.valueOf(receipt.getBlockNumber())).send();
            if (replay.hasError() && replay.getError().getData() != null) {
                ContractRevertException decoded = RevertDecoder.instance()
                        .decode(action, String.valueOf(replay.getError().getData()).replace("\"", ""));
                return decoded.during(action + where);
            }
            return new ChainException(action + " reverted" + where + "; replayed on its block's state it "
                    + (replay.hasError() ? "fails with " + replay.getError().getMessage() : "passes (out of gas?)"));
        } catch (IOException | RuntimeException e) {
            return new ChainException(action + " reverted" + where + "; its error could not be read: " + e.getMessage(), e);
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
