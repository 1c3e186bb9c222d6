package org.openspheron.chain;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.concurrent.Executors;
import org.openspheron.chain.rpc.RpcOptions;
import org.openspheron.chain.rpc.RpcStats;
import org.openspheron.chain.rpc.RpcTransport;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.TransactionManager;
import org.web3j.tx.gas.ContractGasProvider;

/**
 * An RPC endpoint and the protocol's contract addresses: what every client needs. One per process and endpoint;
 * the web3j instance is shared by all clients built on it.
 */
public final class ChainConnection implements AutoCloseable {
    private static final String READER = "0x0000000000000000000000000000000000000000";

    private static final Duration DEFAULT_RECEIPT_TIMEOUT = Duration.ofSeconds(120);

    private final Web3j web3j;
    private final RpcTransport transport;
    private final ProtocolAddresses addresses;
    private final long chainId;
    private final Duration receiptTimeout;
    private final boolean ownsWeb3j;
    private final FeeOptions fees;

    private ChainConnection(Web3j web3j, RpcTransport transport, ProtocolAddresses addresses, long chainId,
            Duration receiptTimeout, boolean owns, FeeOptions fees) {
        this.web3j = web3j;
        this.transport = transport;
        this.addresses = addresses;
        this.chainId = chainId;
        this.receiptTimeout = receiptTimeout;
        this.ownsWeb3j = owns;
        this.fees = fees;
    }

    /**
     * Connects to {@code rpcUrl} (one URL, or a comma-separated list to fail over along) and reads its chain id.
     * Throws {@link ChainException} when it does not answer.
     */
    public static ChainConnection connect(String rpcUrl, ProtocolAddresses addresses) {
        return connect(rpcUrl, addresses, DEFAULT_RECEIPT_TIMEOUT);
    }

    /** As {@link #connect(String, ProtocolAddresses)}, with a request budget and retry settings. */
    public static ChainConnection connect(String rpcUrl, ProtocolAddresses addresses, RpcOptions rpc) {
        return connect(rpcUrl, addresses, DEFAULT_RECEIPT_TIMEOUT, rpc);
    }

    /** Connects without contract addresses: enough to deploy the protocol ({@link ProtocolDeployer}). */
    public static ChainConnection connect(String rpcUrl) {
        return connect(rpcUrl, null, DEFAULT_RECEIPT_TIMEOUT);
    }

    /** The same endpoint (sharing its web3j) with the protocol at {@code protocol}. */
    public ChainConnection using(ProtocolAddresses protocol) {
        return new ChainConnection(web3j, transport, protocol, chainId, receiptTimeout, false, fees);
    }

    /**
     * The same endpoint (sharing its web3j), sending EIP-1559 transactions with these fees. Without it a connection
     * sends legacy transactions at the node's gas price.
     */
    public ChainConnection withFees(FeeOptions fees) {
        return new ChainConnection(web3j, transport, addresses, chainId, receiptTimeout, false, fees);
    }

    /** The fee settings of {@link #withFees}, if this connection sends EIP-1559 transactions. */
    public java.util.Optional<FeeOptions> fees() {
        return java.util.Optional.ofNullable(fees);
    }

    public static ChainConnection connect(String rpcUrl, ProtocolAddresses addresses, Duration receiptTimeout) {
        return connect(rpcUrl, addresses, receiptTimeout, RpcOptions.DEFAULT);
    }

    /**
     * Connects through an {@link RpcTransport}: the URLs of {@code rpcUrls} in failover order, the request budget
     * and retries of {@code rpc}. Throws {@link IllegalArgumentException} for a list without a usable URL and
     * {@link ChainException} when none of them answers.
     */
    public static ChainConnection connect(String rpcUrls, ProtocolAddresses addresses, Duration receiptTimeout,
            RpcOptions rpc) {
        RpcTransport transport = new RpcTransport(RpcTransport.parseUrls(rpcUrls), rpc);
        Web3j web3j = Web3j.build(transport, 250, Executors.newScheduledThreadPool(2));
        try {
            long chainId = web3j.ethChainId().send().getChainId().longValueExact();
            return new ChainConnection(web3j, transport, addresses, chainId, receiptTimeout, true, null);
        } catch (IOException | RuntimeException e) {
            web3j.shutdown();
            throw new ChainException("cannot reach the chain at " + transport.shownUrls() + ": "
                    + e.getMessage(), e);
        }
    }

    /** What this connection's transport has sent and suffered so far, for metrics. */
    public RpcStats.Snapshot rpcStats() {
        return transport.stats();
    }

    public Web3j web3j() {
        return web3j;
    }

    public ProtocolAddresses addresses() {
        if (addresses == null) {
            throw new IllegalStateException("this connection has no protocol addresses; deploy or configure them first");
        }
        return addresses;
    }

    public long chainId() {
        return chainId;
    }

    public long blockNumber() {
        try {
            return web3j.ethBlockNumber().send().getBlockNumber().longValueExact();
        } catch (IOException e) {
            throw new ChainException("cannot read the block number: " + e.getMessage(), e);
        }
    }

    /** The chain's timestamp of the latest block, in seconds. */
    public long latestTimestamp() {
        try {
            return web3j.ethGetBlockByNumber(org.web3j.protocol.core.DefaultBlockParameterName.LATEST, false)
                    .send().getBlock().getTimestamp().longValueExact();
        } catch (IOException e) {
            throw new ChainException("cannot read the latest block: " + e.getMessage(), e);
        }
    }

    /**
     * The time the next block will carry, at the earliest, in seconds: the latest block's, or the wall clock's when
     * the chain has been idle (a local chain mines only on transactions), whichever is later.
     */
    public long nextBlockTimeAtLeast() {
        return Math.max(latestTimestamp(), System.currentTimeMillis() / 1000);
    }

    /** A sender for {@code credentials}: one per key and process, so its local nonce stays right. */
    public TransactionSender sender(Credentials credentials) {
        return new TransactionSender(this, credentials, receiptTimeout);
    }

    TransactionManager readOnly() {
        return new ReadonlyTransactionManager(web3j, READER);
    }

    ContractGasProvider gasProvider() {
        return fees == null ? new EstimatingGasProvider(web3j) : new Eip1559GasProvider(web3j, chainId, fees);
    }

    public BigInteger balanceOfEth(String address) {
        try {
            return web3j.ethGetBalance(address, org.web3j.protocol.core.DefaultBlockParameterName.LATEST).send().getBalance();
        } catch (IOException e) {
            throw new ChainException("cannot read the balance of " + address, e);
        }
    }

    @Override
    public void close() {
        if (ownsWeb3j) {
            web3j.shutdown();
        }
    }
}
