package org.openspheron.chain;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.openspheron.contracts.generated.DeploymentOrder;
import org.web3j.abi.datatypes.Type;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.RemoteFunctionCall;

/**
 * Reads many orders and their bids, {@code batchSize} view calls at a time, so that the full read of the state (at
 * start, every few hundred blocks, after a reorg) costs about 3 × orders / batchSize calls instead of 3 × orders.
 *
 * <p>Each group of views is one {@link ViewBatch} call: one {@code eth_call} that runs {@code ReadBatch}'s creation
 * code without deploying it, or a JSON-RPC batch of single calls on a node that does not answer those.
 *
 * <p>Holds no key; safe to share.
 */
public final class OrderBatchReader {
    /** An open order and all its bids, in chain order. */
    public record OrderWithBids(Order order, List<Bid> bids) {
        public OrderWithBids {
            bids = List.copyOf(bids);
        }
    }

    private final ViewBatch views;
    private final String contract;
    private final DeploymentOrder orders;
    private final int bidsPage;

    public OrderBatchReader(ProtocolReader reader, int batchSize) {
        this(reader, batchSize, ProtocolReader.BIDS_PAGE);
    }

    /** With pages of {@code bidsPage} bids: tests page through a few bids rather than place 500. */
    OrderBatchReader(ProtocolReader reader, int batchSize, int bidsPage) {
        this.views = new ViewBatch(reader.connection().web3j(), batchSize);
        this.contract = reader.connection().addresses().orders();
        this.orders = reader.ordersContract();
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
        int perBatch = Math.max(1, views.batchSize() / 3);
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

    /** The decoded results of {@code calls}, in their order, {@code batchSize} calls to a request. */
    private List<List<Type>> send(List<RemoteFunctionCall<?>> calls) {
        return views.read(contract, calls, DefaultBlockParameterName.LATEST);
    }
}
