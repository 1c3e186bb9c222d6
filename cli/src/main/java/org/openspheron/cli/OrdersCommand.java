package org.openspheron.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openspheron.chain.Order;
import org.openspheron.chain.ProtocolEvent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spheron orders}: the account's orders, found through their {@code ORDER_CREATED} events. */
@Command(name = "orders", description = "List the account's orders.")
public class OrdersCommand extends ChainCommand {
    @Option(names = "--from-block", defaultValue = "0", description = "First block to look for orders in (default: ${DEFAULT-VALUE}).")
    long fromBlock;

    @Override
    public Integer call() {
        Output output = output();
        try (ChainSession chain = openChain()) {
            String me = chain.address();
            List<Map<String, Object>> rows = new ArrayList<>();
            output.line(String.format("%-6s %-9s %-5s %-22s %-14s %s", "ORDER", "STATE", "BIDS", "GPUS", "MAX/H", "LEASE"));
            for (ProtocolEvent event : chain.reader().events(fromBlock, chain.reader().blockNumber())) {
                if (!(event instanceof ProtocolEvent.OrderCreated created) || !created.tenant().equalsIgnoreCase(me)) {
                    continue;
                }
                Order order = chain.reader().requireOrder(created.orderId());
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
}
