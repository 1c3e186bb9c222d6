package org.openspheron.chain.bench;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.openspheron.chain.ChainException;
import org.openspheron.chain.LocalChain;
import org.openspheron.chain.ProtocolAddresses;
import org.openspheron.contracts.generated.DeploymentOrder;
import org.openspheron.contracts.generated.PaymentToken;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.BatchRequest;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;
import org.web3j.utils.Numeric;

/**
 * Puts thousands of orders and bids on a local anvil in minutes rather than hours. Sending one transaction and
 * waiting for its receipt costs a block and a round trip each (1,000 orders of 3 bids took most of 9 minutes); here
 * anvil's unlocked development accounts send them ({@code eth_sendTransaction}, nothing is signed in the JVM) with
 * explicit nonces, 500 to a JSON-RPC batch, while automine is off, in waves of a few thousand, each mined (blocks
 * of a raised gas limit) until every sender's nonce is in. Every transaction goes through the contracts' own checks; a reverted one shows
 * as a missing order or bid, which the benchmarks check against what they asked for.
 *
 * <p>On a chain that mines every few seconds ({@code --block-time}) automine is left alone, since turning it back on
 * would end the interval mining: the waves then go into the interval's blocks and the ones {@code evm_mine} adds.
 *
 * <p>Its own HTTP client, so none of this counts in the figures of the process being measured.
 */
public final class BulkMarket implements AutoCloseable {
    private static final int BATCH = 500;
    /**
     * Transactions sent before mining them: anvil's pool slows down with its size (at 60,000 pending, a send took
     * 30 ms), so a few thousand at a time keeps sending at hundreds a second.
     */
    private static final int WAVE = 4_000;
    /** Generous limits, so that no transaction is estimated (an estimate against a pending pool is slow). */
    private static final BigInteger CREATE_ORDER_GAS = BigInteger.valueOf(600_000);
    private static final BigInteger BID_GAS = BigInteger.valueOf(300_000);
    private static final BigInteger APPROVE_GAS = BigInteger.valueOf(100_000);
    /** Blocks this large hold about 1,600 orders or 3,300 bids each (by gas limit, not gas used). */
    private static final BigInteger BLOCK_GAS_LIMIT = BigInteger.valueOf(1_000_000_000L);

    private final Web3j web3j;
    private final HttpService http;
    private final ProtocolAddresses addresses;
    private final DeploymentOrder orders;
    private final PaymentToken token;
    private final Map<String, BigInteger> nonces = new HashMap<>();
    private final boolean intervalMining;

    public BulkMarket(LocalChain chain, ProtocolAddresses addresses) {
        this(chain, addresses, false);
    }

    /** {@code intervalMining}: the chain mines on a timer, which this must not turn into automine. */
    public BulkMarket(LocalChain chain, ProtocolAddresses addresses, boolean intervalMining) {
        this.intervalMining = intervalMining;
        // A large block takes anvil tens of seconds to mine on a busy machine: longer than OkHttp's default 10 s.
        this.http = new HttpService(chain.rpcUrl(), new OkHttpClient.Builder().readTimeout(Duration.ofMinutes(10))
                .build());
        this.web3j = Web3j.build(http);
        this.addresses = addresses;
        var readOnly = new ReadonlyTransactionManager(web3j, addresses.orders());
        this.orders = DeploymentOrder.load(addresses.orders(), web3j, readOnly, new DefaultGasProvider());
        this.token = PaymentToken.load(addresses.token(), web3j, readOnly, new DefaultGasProvider());
    }

    /** The contract's form of {@code spec}, as {@link #createOrders} takes it. */
    public static DeploymentOrder.OrderSpec onChain(org.openspheron.chain.OrderSpec s) {
        return new DeploymentOrder.OrderSpec(BigInteger.valueOf(s.cpuMilli()), BigInteger.valueOf(s.memoryMb()),
                BigInteger.valueOf(s.storageMb()), BigInteger.valueOf(s.gpuCount()), s.gpuModel(), s.region(), s.zone(),
                s.regionRequired(), s.maxPricePerHour(), BigInteger.valueOf(s.durationSeconds()),
                Numeric.hexStringToByteArray(s.manifestHash()), BigInteger.valueOf(s.features()));
    }

    /** Creates {@code count} orders of {@code spec} from {@code tenant} and returns their ids, in order. */
    public List<Long> createOrders(String tenant, int count, DeploymentOrder.OrderSpec spec, BigInteger deposit) {
        long first = orders.orderCount().sendAsync().join().longValueExact() + 1;
        List<Transaction> txs = new ArrayList<>();
        txs.add(tx(tenant, addresses.token(), APPROVE_GAS,
                token.approve(addresses.orders(), deposit.multiply(BigInteger.valueOf(count))).encodeFunctionCall()));
        String data = orders.createOrder(spec, deposit).encodeFunctionCall();
        for (int i = 0; i < count; i++) {
            txs.add(tx(tenant, addresses.orders(), CREATE_ORDER_GAS, data));
        }
        sendAndMine(txs);
        List<Long> ids = new ArrayList<>(count);
        for (long id = first; id < first + count; id++) {
            ids.add(id);
        }
        return ids;
    }

    /** A bid of {@code price} from each of {@code providers} on each of {@code orderIds}. */
    public void bid(List<String> providers, List<Long> orderIds, BigInteger price) {
        sendAndMine(bids(providers, orderIds, price));
    }

    /**
     * The same bids, sent and not waited for: on a chain that mines on a timer they go into its next block, which
     * this leaves to come on time (mining them here would add blocks out of turn).
     */
    public void bidUnmined(List<String> providers, List<Long> orderIds, BigInteger price) {
        try {
            send(bids(providers, orderIds, price));
        } catch (IOException e) {
            throw new ChainException("bulk send failed: " + e.getMessage(), e);
        }
    }

    private List<Transaction> bids(List<String> providers, List<Long> orderIds, BigInteger price) {
        List<Transaction> txs = new ArrayList<>(providers.size() * orderIds.size());
        for (long id : orderIds) {
            String data = orders.submitBid(BigInteger.valueOf(id), price).encodeFunctionCall();
            for (String provider : providers) {
                txs.add(tx(provider, addresses.orders(), BID_GAS, data));
            }
        }
        return txs;
    }

    private Transaction tx(String from, String to, BigInteger gas, String data) {
        BigInteger nonce = nonces.computeIfAbsent(from, this::pendingNonce);
        nonces.put(from, nonce.add(BigInteger.ONE));
        return new Transaction(from, nonce, null, gas, to, BigInteger.ZERO, data);
    }

    /** Sends with automine off, then mines until every sender's last transaction is in a block. */
    private void sendAndMine(List<Transaction> txs) {
        if (!intervalMining) {
            rpc("evm_setAutomine", List.of(false));
        }
        rpc("evm_setBlockGasLimit", List.of("0x" + BLOCK_GAS_LIMIT.toString(16)));
        try {
            for (int wave = 0; wave < txs.size(); wave += WAVE) {
                int end = Math.min(txs.size(), wave + WAVE);
                for (int from = wave; from < end; from += BATCH) {
                    send(txs.subList(from, Math.min(end, from + BATCH)));
                }
                while (!allMined(txs.subList(wave, end))) {
                    rpc("evm_mine", List.of());
                }
            }
        } catch (IOException e) {
            throw new ChainException("bulk send failed: " + e.getMessage(), e);
        } finally {
            if (!intervalMining) {
                rpc("evm_setAutomine", List.of(true));
            }
        }
    }

    private void send(List<Transaction> txs) throws IOException {
        BatchRequest batch = web3j.newBatch();
        for (Transaction tx : txs) {
            batch.add(web3j.ethSendTransaction(tx));
        }
        for (Response<?> response : batch.send().getResponses()) {
            if (response.hasError()) {
                throw new ChainException("bulk send refused: " + response.getError().getMessage());
            }
        }
    }

    /** Whether each sender's last transaction of {@code wave} is in a block. */
    private boolean allMined(List<Transaction> wave) throws IOException {
        Map<String, BigInteger> last = new HashMap<>();
        for (Transaction tx : wave) {
            last.merge(tx.getFrom(), Numeric.decodeQuantity(tx.getNonce()), BigInteger::max);
        }
        for (var sender : last.entrySet()) {
            BigInteger mined = web3j.ethGetTransactionCount(sender.getKey(), DefaultBlockParameterName.LATEST).send()
                    .getTransactionCount();
            if (mined.compareTo(sender.getValue()) <= 0) {
                return false;
            }
        }
        return true;
    }

    private BigInteger pendingNonce(String account) {
        try {
            return web3j.ethGetTransactionCount(account, DefaultBlockParameterName.PENDING).send().getTransactionCount();
        } catch (IOException e) {
            throw new ChainException("cannot read the nonce of " + account, e);
        }
    }

    private void rpc(String method, List<?> params) {
        try {
            Response<?> response = new Request<>(method, params, http, LocalChain.GenericResponse.class).send();
            if (response.hasError()) {
                throw new ChainException(method + " failed: " + response.getError().getMessage());
            }
        } catch (IOException e) {
            throw new ChainException(method + " failed", e);
        }
    }

    @Override
    public void close() {
        web3j.shutdown();
    }
}
