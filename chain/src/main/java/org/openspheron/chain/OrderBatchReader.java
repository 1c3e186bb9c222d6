package org.openspheron.chain;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.openspheron.contracts.generated.DeploymentOrder;
import org.web3j.abi.datatypes.Type;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.BatchRequest;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.RemoteFunctionCall;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;

/**
 * Reads many orders and their bids in JSON-RPC batches of at most {@code batchSize} calls each: the full read of the
 * state (at start, every few hundred blocks, after a reorg) costs about 3 × orders / batchSize HTTP requests instead of
 * 3 × orders. Every call is still one request for the process's budget and one {@code eth_call} for the RPC provider's
 * bill; what batches save is round trips, so a resync of thousands of orders takes seconds, not minutes.
 *
 * <p>Holds no key; safe to share.
 */
public final class OrderBatchReader {
    private static final String READER = "0x0000000000000000000000000000000000000000";

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

    /** The decoded results of {@code calls}, in their order, sent {@link #batchSize} calls to a request. */
    private List<List<Type>> send(List<RemoteFunctionCall<?>> calls) {
        List<List<Type>> results = new ArrayList<>(calls.size());
        for (int from = 0; from < calls.size(); from += batchSize) {
            List<RemoteFunctionCall<?>> part = calls.subList(from, Math.min(calls.size(), from + batchSize));
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
        List<Type> decoded = call.decodeFunctionResponse(result.getValue());
        if (decoded.isEmpty()) {
            throw new ChainException(what(call) + " returned nothing: no order contract at its address?");
        }
        return decoded;
    }

    /** The call's selector and arguments, for an error message. */
    private static String what(RemoteFunctionCall<?> call) {
        String data = call.encodeFunctionCall();
        return "call " + (data.length() > 74 ? data.substring(0, 74) + "..." : data);
    }
}
