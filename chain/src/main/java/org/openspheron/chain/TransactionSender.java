package org.openspheron.chain;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.RemoteFunctionCall;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.EthGetTransactionCount;
import org.web3j.protocol.core.methods.response.EthTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.exceptions.TransactionException;
import org.web3j.tx.FastRawTransactionManager;

/**
 * Sends one account's transactions, one at a time: the nonce is kept locally and re-read from the node after any
 * failure, gas is estimated per call (so a call that would revert fails before it is sent, with the contract's
 * error), and a mined transaction that reverted (estimated against an earlier state) is reported with its decoded
 * error, as a {@link ContractRevertException}.
 *
 * <p>Never two at once: a transaction whose receipt did not come in time (a congested network, a node that went away
 * mid-send) may still be mined, so until the node shows it mined or dropped this sender sends nothing else and
 * throws {@link PendingTransactionException} instead. Without that, a caller that retries (the matchmaker's
 * {@code matchOrder} after its receipt timeout) sent the same call again under the next nonce and paid for both, the
 * second reverting. The same holds across restarts: before its first transaction, and after any send whose hash is
 * not known, the sender asks the node whether the account has transactions in the pool that are not mined yet (its
 * {@code pending} nonce ahead of its {@code latest}), as a process that stopped mid-send leaves them.
 */
public final class TransactionSender {
    private static final System.Logger LOG = System.getLogger(TransactionSender.class.getName());

    private final ChainConnection connection;
    private final Credentials credentials;
    private final FastRawTransactionManager manager;
    /** The transaction whose outcome is not known yet, by hash; null when there is none. */
    private Unconfirmed unconfirmed;
    /** Whether the node's pool must be asked for this account's unmined transactions before the next send. */
    private boolean poolUnchecked = true;

    private record Unconfirmed(String action, String hash) {
    }

    TransactionSender(ChainConnection connection, Credentials credentials, Duration receiptTimeout) {
        this.connection = connection;
        this.credentials = credentials;
        this.manager = new FastRawTransactionManager(connection.web3j(), credentials, connection.chainId(),
                new BackoffReceiptProcessor(connection.web3j(), receiptTimeout));
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
        requireNothingPending(action);
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
            // No receipt in time: sent, and maybe mined later.
            e.getTransactionHash().ifPresentOrElse(hash -> unconfirmed = new Unconfirmed(action, hash),
                    () -> poolUnchecked = true);
            throw new ChainException(action + " failed: " + e.getMessage(), e);
        } catch (IOException e) {
            resync();
            // The node may have taken the transaction before the connection broke.
            poolUnchecked = true;
            throw new ChainException(action + " could not be sent: " + e.getMessage(), e);
        } catch (ChainException e) {
            resync();
            poolUnchecked = true;
            throw e;
        } catch (Exception e) {
            resync();
            poolUnchecked = true;
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

    /**
     * Throws {@link PendingTransactionException} while a transaction of this account is in the node's pool unmined;
     * forgets one the node has mined or dropped. Costs nothing in the usual case (the last send had its receipt); a
     * lookup by hash, or two nonce reads, otherwise.
     */
    private void requireNothingPending(String action) {
        try {
            if (unconfirmed != null) {
                EthTransaction answer = connection.web3j().ethGetTransactionByHash(unconfirmed.hash()).send();
                if (answer.hasError()) {
                    // Not knowing is not "dropped": a resend now could pay twice.
                    throw new ChainException(action + " not sent: cannot tell whether this account's "
                            + unconfirmed.action() + " (transaction " + unconfirmed.hash() + ") was mined: "
                            + answer.getError().getMessage());
                }
                var tx = answer.getTransaction();
                if (tx.isPresent() && tx.get().getBlockHash() == null) {
                    throw new PendingTransactionException(action, "this account's " + unconfirmed.action()
                            + " (transaction " + unconfirmed.hash() + ") is still pending: its receipt did not come in"
                            + " time and it may yet be mined");
                }
                if (tx.isPresent()) {
                    LOG.log(System.Logger.Level.INFO, "{0}: transaction {1} was mined after its receipt timed out",
                            unconfirmed.action(), unconfirmed.hash());
                    resync();
                } else {
                    // Unknown to the node: dropped, or held by another node behind the same URL (a load-balanced
                    // endpoint, a failover). The account's nonces tell, below.
                    LOG.log(System.Logger.Level.INFO, "{0}: transaction {1} is unknown to the node; checking the"
                            + " account''s pending transactions", unconfirmed.action(), unconfirmed.hash());
                    poolUnchecked = true;
                }
                unconfirmed = null;
            }
            if (poolUnchecked) {
                BigInteger pending = nonce(DefaultBlockParameterName.PENDING);
                BigInteger mined = nonce(DefaultBlockParameterName.LATEST);
                if (pending.compareTo(mined) > 0) {
                    throw new PendingTransactionException(action, pending.subtract(mined) + " transaction(s) of this"
                            + " account (nonce " + mined + " on) are in the node's pool unmined, sent before this"
                            + " process started or before a send broke off, or by another process with the same key");
                }
                poolUnchecked = false;
                resync();
            }
        } catch (IOException e) {
            throw new ChainException(action + " could not be sent: cannot reach the chain to check this account's"
                    + " pending transactions: " + e.getMessage(), e);
        }
    }

    private BigInteger nonce(DefaultBlockParameterName block) throws IOException {
        EthGetTransactionCount answer = connection.web3j().ethGetTransactionCount(credentials.getAddress(), block).send();
        if (answer.hasError()) {
            throw new ChainException("cannot read the " + block.getValue() + " nonce of " + credentials.getAddress()
                    + ": " + answer.getError().getMessage());
        }
        return answer.getTransactionCount();
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
