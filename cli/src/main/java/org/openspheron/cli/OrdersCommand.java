package org.openspheron.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openspheron.chain.Order;
import org.openspheron.chain.ProtocolReader;
import org.openspheron.chain.UnreadableOrderException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spheron orders}: the account's orders, found through their {@code ORDER_CREATED} events. */
@Command(name = "orders", description = "List the account's orders.")
public class OrdersCommand extends ChainCommand {
    @Option(names = "--from-block", description = "First block to look for orders in (default: the block of the "
            + "protocol's first order, before which none of yours can be).")
    Long fromBlock;

    @Override
    public Integer call() {
        Output output = output();
        if (fromBlock != null && fromBlock < 0) {
            throw new CliException("--from-block must be a block number (0 or more), not " + fromBlock);
        }
        try (ChainSession chain = openChain()) {
            String me = chain.address();
            List<Map<String, Object>> rows = new ArrayList<>();
            output.line(String.format("%-6s %-9s %-5s %-22s %-14s %s", "ORDER", "STATE", "BIDS", "GPUS", "MAX/H", "LEASE"));
            long head = chain.reader().blockNumber();
            // The node filters the events by the tenant's topic and the range is halved where a public endpoint caps
            // it, so this costs a few calls plus two per order of yours, however old the chain and busy the market.
            List<Long> mine = fromBlock != null ? chain.reader().ordersCreatedBy(me, fromBlock, head)
                    : chain.reader().orderCount() == 0 ? List.of()
                    : chain.reader().ordersCreatedBy(me, firstOrderBlock(chain.reader()), head);
            for (long orderId : mine) {
                Order order = chain.reader().requireOrder(orderId);
                int bids = chain.reader().bids(order.id()).size();
                String gpus = order.spec().gpuCount() == 0 ? "-" : order.spec().gpuCount() + "x " + order.spec().gpuModel();
                output.line(String.format("%-6d %-9s %-5d %-22s %-14s %s", order.id(), order.state(), bids, gpus,
                        chain.tokens(order.spec().maxPricePerHour()), order.leaseId() == 0 ? "-" : Long.toString(order.leaseId())));
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("orderId", order.id());
                row.put("state", order.state().name());
                row.put("bids", bids);
                row.put("gpuCount", order.spec().gpuCount());
                row.put("gpuModel", order.spec().gpuModel());
                row.put("maxPricePerHour", TokenAmount.plain(order.spec().maxPricePerHour()));
                row.put("deposit", TokenAmount.plain(order.deposit()));
                row.put("bidWindowEnd", order.bidWindowEnd());
                row.put("leaseId", order.leaseId());
                row.put("manifestHash", order.spec().manifestHash());
                rows.add(row);
            }
            output.result(rows);
            return 0;
        }
    }

    /** The block of the protocol's first order: no order of anyone's is older. */
    private static long firstOrderBlock(ProtocolReader reader) {
        try {
            return reader.requireOrder(1).createdBlock();
        } catch (UnreadableOrderException e) {
            // A spec past the protocol's limits (a hostile order on an old deployment): its block is not worth failing for.
            return 0;
        }
    }
}
