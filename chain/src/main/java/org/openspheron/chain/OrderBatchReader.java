package org.openspheron.chain;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.openspheron.contracts.generated.DeploymentOrder;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Type;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.BatchRequest;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.RemoteFunctionCall;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.utils.Numeric;

/**
 * Reads many orders and their bids, {@code batchSize} view calls at a time, so that the full read of the state (at
 * start, every few hundred blocks, after a reorg) costs about 3 × orders / batchSize calls instead of 3 × orders.
 *
 * <p>Each group of views goes out as one {@code eth_call} that runs the creation code of {@code ReadBatch}
 * (contracts/src/ReadBatch.sol) without deploying it: its constructor makes the static calls and reverts with their
 * results (a revert's data has no size limit; code a constructor returns does). That is one call for the process's
 * budget and for the RPC provider's bill, whatever it holds. When the node does not answer such a call with the
 * results (no contract creation in eth_call, a gas cap, revert data dropped), the reader stops using it and sends
 * each group as a JSON-RPC batch of single calls instead (one HTTP request, but a call each); when a view in it
 * reverts, that group alone is read as a batch, whose error names the call.
 *
 * <p>Holds no key; safe to share.
 */
public final class OrderBatchReader {
    private static final System.Logger LOG = System.getLogger(OrderBatchReader.class.getName());
    private static final String READER = "0x0000000000000000000000000000000000000000";
    private static final String READ_BATCH_RESOURCE = "/org/openspheron/contracts/solc/ReadBatch.bin";
    private static final String READ_BATCH_CODE = readBatchCode();
    /** Selectors of ReadBatch's errors, lower-case hex without 0x: its answer, and a view that reverted. */
    private static final String RESULTS = org.web3j.crypto.Hash.sha3String("Results(bytes[])").substring(2, 10);
    private static final String VIEW_REVERTED = org.web3j.crypto.Hash.sha3String("ViewReverted(uint256,bytes)").substring(2, 10);
    @SuppressWarnings("rawtypes")
    private static final List<TypeReference<?>> BYTES_ARRAY = List.of(new TypeReference<DynamicArray<DynamicBytes>>() {
    });

    /** An open order and all its bids, in chain order. */
    public record OrderWithBids(Order order, List<Bid> bids) {
        public OrderWithBids {
            bids = List.copyOf(bids);
        }
    }

    private final Web3j web3j;
    private final String contract;
    private final DeploymentOrder orders;
    private final int batchSize;
    private final int bidsPage;
    private volatile boolean oneCallRefused;

    public OrderBatchReader(ProtocolReader reader, int batchSize) {
        this(reader, batchSize, ProtocolReader.BIDS_PAGE);
    }

    /** With pages of {@code bidsPage} bids: tests page through a few bids rather than place 500. */
    OrderBatchReader(ProtocolReader reader, int batchSize, int bidsPage) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1: " + batchSize);
        }
        this.web3j = reader.connection().web3j();
        this.contract = reader.connection().addresses().orders();
        this.orders = reader.ordersContract();
        this.batchSize = batchSize;
        this.bidsPage = bidsPage;
    }

    /**
     * The orders of {@code ids} that are open, with their bids, in the order of {@code ids}. An id the chain does not
     * hold, or whose order is no longer open, is left out; an order past the protocol's limits is handed to
     * {@code passedOver} and left out, so that one such order never stops the read of the others.
     *
     * @throws ChainException when a batch, or a call in it, fails: nothing is returned and the caller reads again
     */
    public List<OrderWithBids> openOrders(List<Long> ids, Consumer<UnreadableOrderException> passedOver) {
        List<OrderWithBids> open = new ArrayList<>(ids.size());
        // Three calls per order, so that one batch holds whole orders and no order's reads span two batches.
        int perBatch = Math.max(1, batchSize / 3);
        for (int from = 0; from < ids.size(); from += perBatch) {
            List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + perBatch));
            open.addAll(chunk(chunk, passedOver));
        }
        return open;
    }

    private List<OrderWithBids> chunk(List<Long> ids, Consumer<UnreadableOrderException> passedOver) {
        List<RemoteFunctionCall<?>> calls = new ArrayList<>(ids.size() * 3);
        for (long id : ids) {
            BigInteger orderId = BigInteger.valueOf(id);
            calls.add(orders.getOrder(orderId));
            calls.add(orders.getOrderSpec(orderId));
            calls.add(orders.getBids(orderId, BigInteger.ZERO, BigInteger.valueOf(bidsPage)));
        }
        List<List<Type>> results = send(calls);
        Map<Long, Order> read = new HashMap<>();
        Map<Long, List<Bid>> bids = new HashMap<>();
        List<Long> morePages = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            long id = ids.get(i);
            var o = (DeploymentOrder.Order) results.get(3 * i).get(0);
            if (OrderState.of(o.state) != OrderState.OPEN) {
                continue;
            }
            try {
                read.put(id, ProtocolReader.order(id, o, (DeploymentOrder.OrderSpec) results.get(3 * i + 1).get(0)));
            } catch (UnreadableOrderException e) {
                passedOver.accept(e);
                continue;
            }
            List<Bid> page = new ArrayList<>();
            if (addBids(id, results.get(3 * i + 2), page)) {
                morePages.add(id);
            }
            bids.put(id, page);
        }
        readRemainingPages(morePages, bids);
        List<OrderWithBids> open = new ArrayList<>(read.size());
        for (long id : ids) {
            if (read.containsKey(id)) {
                open.add(new OrderWithBids(read.get(id), bids.get(id)));
            }
        }
        return open;
    }

    /** Orders with more than a page of bids: rare (a page is 500), so one round of batches per further page. */
    private void readRemainingPages(List<Long> ids, Map<Long, List<Bid>> bids) {
        List<Long> pending = ids;
        while (!pending.isEmpty()) {
            List<RemoteFunctionCall<?>> calls = new ArrayList<>(pending.size());
            for (long id : pending) {
                calls.add(orders.getBids(BigInteger.valueOf(id), BigInteger.valueOf(bids.get(id).size()),
                        BigInteger.valueOf(bidsPage)));
            }
            List<List<Type>> results = send(calls);
            List<Long> next = new ArrayList<>();
            for (int i = 0; i < pending.size(); i++) {
                if (addBids(pending.get(i), results.get(i), bids.get(pending.get(i)))) {
                    next.add(pending.get(i));
                }
            }
            pending = next;
        }
    }

    /** Appends a page of bids; true when the page was full, so another may follow. */
    private boolean addBids(long orderId, List<Type> result, List<Bid> into) {
        @SuppressWarnings("unchecked")
        List<DeploymentOrder.Bid> page = (List<DeploymentOrder.Bid>) result.get(0).getValue();
        for (DeploymentOrder.Bid b : page) {
            into.add(new Bid(orderId, into.size(), b.provider, b.pricePerHour, b.placedBlock.longValueExact()));
        }
        return page.size() == bidsPage;
    }

    /** The decoded results of {@code calls}, in their order, {@link #batchSize} calls to a request. */
    private List<List<Type>> send(List<RemoteFunctionCall<?>> calls) {
        List<List<Type>> results = new ArrayList<>(calls.size());
        for (int from = 0; from < calls.size(); from += batchSize) {
            List<RemoteFunctionCall<?>> part = calls.subList(from, Math.min(calls.size(), from + batchSize));
            List<List<Type>> read = oneCallRefused ? null : inOneCall(part);
            results.addAll(read != null ? read : batched(part));
        }
        return results;
    }

    /** The results of {@code part} from one deployless {@code ReadBatch} call; null when it is to be read otherwise. */
    private List<List<Type>> inOneCall(List<RemoteFunctionCall<?>> part) {
        List<DynamicBytes> calls = new ArrayList<>(part.size());
        for (RemoteFunctionCall<?> call : part) {
            calls.add(new DynamicBytes(Numeric.hexStringToByteArray(call.encodeFunctionCall())));
        }
        String data = READ_BATCH_CODE + FunctionEncoder.encodeConstructor(
                List.of(new Address(contract), new DynamicArray<>(DynamicBytes.class, calls)));
        EthCall answer;
        try {
            answer = web3j.ethCall(Transaction.createEthCallTransaction(READER, null, data),
                    DefaultBlockParameterName.LATEST).send();
        } catch (IOException e) {
            throw new ChainException("reading " + part.size() + " views in one call failed: " + e.getMessage(), e);
        }
        String revertData = answer.hasError() ? revertData(answer.getError()) : "";
        if (revertData.startsWith(VIEW_REVERTED)) {
            // One view reverted: the batch of single calls says which.
            return null;
        }
        if (!revertData.startsWith(RESULTS)) {
            oneCallRefused = true;
            LOG.log(System.Logger.Level.INFO, "the node does not answer views read in one eth_call ({0}); reading "
                    + "them in JSON-RPC batches of single calls instead", answer.hasError()
                    ? answer.getError().getMessage() : "it returned instead of reverting with the results");
            return null;
        }
        @SuppressWarnings("unchecked")
        List<Type> decoded = FunctionReturnDecoder.decode("0x" + revertData.substring(RESULTS.length()), (List) BYTES_ARRAY);
        if (decoded.isEmpty()) {
            throw new ChainException("reading " + part.size() + " views in one call returned nothing");
        }
        @SuppressWarnings("unchecked")
        List<DynamicBytes> returned = ((DynamicArray<DynamicBytes>) decoded.get(0)).getValue();
        if (returned.size() != part.size()) {
            throw new ChainException("reading " + part.size() + " views in one call returned " + returned.size());
        }
        List<List<Type>> results = new ArrayList<>(part.size());
        for (int i = 0; i < part.size(); i++) {
            results.add(decodeResult(part.get(i), Numeric.toHexString(returned.get(i).getValue())));
        }
        return results;
    }

    /** The revert data of an error answer, lower-case hex without 0x; empty when it carries none. */
    private static String revertData(Response.Error error) {
        String data = error.getData() == null ? "" : error.getData().trim();
        if (data.startsWith("\"") && data.endsWith("\"") && data.length() >= 2) {
            data = data.substring(1, data.length() - 1);
        }
        data = data.toLowerCase(java.util.Locale.ROOT);
        return data.startsWith("0x") ? data.substring(2) : "";
    }

    /** The results of {@code part} from a JSON-RPC batch of single calls: one request, a call each. */
    private List<List<Type>> batched(List<RemoteFunctionCall<?>> part) {
        List<List<Type>> results = new ArrayList<>(part.size());
        BatchRequest batch = web3j.newBatch();
        for (RemoteFunctionCall<?> call : part) {
            batch.add(web3j.ethCall(Transaction.createEthCallTransaction(READER, contract, call.encodeFunctionCall()),
                    DefaultBlockParameterName.LATEST));
        }
        Map<Long, Response<?>> byId = answers(batch);
        for (int i = 0; i < part.size(); i++) {
            Response<?> answer = byId.get(batch.getRequests().get(i).getId());
            results.add(decode(part.get(i), answer));
        }
        return results;
    }

    /** The batch's answers by request id: JSON-RPC lets a node answer a batch in any order. */
    private Map<Long, Response<?>> answers(BatchRequest batch) {
        List<? extends Response<?>> responses;
        try {
            responses = batch.send().getResponses();
        } catch (IOException e) {
            throw new ChainException("a batch of " + batch.getRequests().size() + " order reads failed: "
                    + e.getMessage(), e);
        }
        Map<Long, Response<?>> byId = new HashMap<>();
        for (Response<?> response : responses) {
            byId.put(response.getId(), response);
        }
        return byId;
    }

    private static List<Type> decode(RemoteFunctionCall<?> call, Response<?> answer) {
        if (answer == null) {
            throw new ChainException("the node left " + what(call) + " of a batch unanswered");
        }
        if (answer.hasError()) {
            throw new ChainException(what(call) + " failed: " + answer.getError().getMessage());
        }
        EthCall result = (EthCall) answer;
        if (result.isReverted()) {
            throw new ChainException(what(call) + " reverted: " + result.getRevertReason());
        }
        return decodeResult(call, result.getValue());
    }

    private static List<Type> decodeResult(RemoteFunctionCall<?> call, String value) {
        List<Type> decoded = call.decodeFunctionResponse(value);
        if (decoded.isEmpty()) {
            throw new ChainException(what(call) + " returned nothing: no order contract at its address?");
        }
        return decoded;
    }

    private static String readBatchCode() {
        try (java.io.InputStream in = OrderBatchReader.class.getResourceAsStream(READ_BATCH_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(READ_BATCH_RESOURCE + " is missing from the contracts jar");
            }
            return "0x" + new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The call's selector and arguments, for an error message. */
    private static String what(RemoteFunctionCall<?> call) {
        String data = call.encodeFunctionCall();
        return "call " + (data.length() > 74 ? data.substring(0, 74) + "..." : data);
    }
}
