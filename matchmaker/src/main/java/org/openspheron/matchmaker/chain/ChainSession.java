package org.openspheron.matchmaker.chain;

import java.io.IOException;
import org.openspheron.chain.ChainConnection;
import org.openspheron.chain.ChainException;
import org.openspheron.chain.MatchmakerClient;
import org.openspheron.chain.ProtocolAddresses;
import org.openspheron.chain.ProtocolReader;
import org.openspheron.chain.index.IndexOptions;
import org.openspheron.chain.index.IndexStats;
import org.openspheron.chain.index.ProtocolIndex;
import org.openspheron.chain.rpc.HeadSubscription;
import org.openspheron.chain.rpc.RpcOptions;
import org.web3j.crypto.Credentials;

/**
 * The operator's link to the chain, connected lazily: a matchmaker must start (and report itself not ready) while
 * the RPC endpoint is away, so nothing connects in a constructor. Once connected the clients are kept: the chain
 * module's transport retries and fails over by itself, and keeping one {@link MatchmakerClient} keeps one nonce
 * sequence per key, and keeping one {@link ProtocolIndex} keeps what it followed.
 */
public final class ChainSession implements AutoCloseable {
    private final String rpcUrl;
    private final ProtocolAddresses addresses;
    private final Credentials operator;
    private final RpcOptions rpc;
    private final IndexOptions indexOptions;
    private ChainConnection connection;
    private ProtocolReader reader;
    private MatchmakerClient client;
    private ProtocolIndex index;
    private HeadSubscription heads;

    public ChainSession(String rpcUrl, ProtocolAddresses addresses, Credentials operator) {
        this(rpcUrl, addresses, operator, RpcOptions.DEFAULT);
    }

    /** With {@code rpcUrl} a comma-separated list of URLs to fail over along, and their budget and retries. */
    public ChainSession(String rpcUrl, ProtocolAddresses addresses, Credentials operator, RpcOptions rpc) {
        this(rpcUrl, addresses, operator, rpc, IndexOptions.DEFAULT);
    }

    public ChainSession(String rpcUrl, ProtocolAddresses addresses, Credentials operator, RpcOptions rpc,
                        IndexOptions index) {
        this.indexOptions = index;
        this.rpcUrl = rpcUrl;
        this.addresses = addresses;
        this.operator = operator;
        this.rpc = rpc;
    }

    public String rpcUrl() {
        return rpcUrl;
    }

    public String operatorAddress() {
        return org.web3j.crypto.Keys.toChecksumAddress(operator.getAddress());
    }

    public Credentials operator() {
        return operator;
    }

    /** The reader; connects first if needed, throwing {@link ChainException} while the endpoint is away. */
    public synchronized ProtocolReader reader() {
        connect();
        return reader;
    }

    public synchronized MatchmakerClient client() {
        connect();
        return client;
    }

    /** The process's one index of open orders and bids; connects first if needed. */
    public synchronized ProtocolIndex index() {
        connect();
        return index;
    }

    /** New blocks from this subscription rather than a poll (see {@link ProtocolIndex#useHeads}); closed with the session. */
    public synchronized void useHeads(HeadSubscription subscription) {
        heads = subscription;
        if (index != null) {
            index.useHeads(subscription);
        }
    }

    /** The index's figures, {@link IndexStats#NONE} before the first connection. Never connects. */
    public synchronized IndexStats indexStats() {
        return index == null ? IndexStats.NONE : index.stats();
    }

    private void connect() {
        if (connection == null) {
            connection = ChainConnection.connect(rpcUrl, addresses, rpc);
            reader = new ProtocolReader(connection);
            client = new MatchmakerClient(connection, operator);
            index = new ProtocolIndex(reader, indexOptions);
            if (heads != null) {
                index.useHeads(heads);
            }
        }
    }

    /** Whether the failure means the endpoint could not be reached (as opposed to a refused or malformed call). */
    public static boolean isUnreachable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        String message = String.valueOf(failure.getMessage());
        return message.contains("cannot reach the chain") || message.contains("Failed to connect")
                || message.contains("Connection refused");
    }

    @Override
    public synchronized void close() {
        if (heads != null) {
            heads.close();
        }
        if (connection != null) {
            connection.close();
            connection = null;
            index = null;
        }
    }
}
