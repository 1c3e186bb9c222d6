package org.openspheron.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.openspheron.chain.ContractRevertException;
import org.openspheron.chain.Order;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code spheron cancel ORDER}: withdraws an unmatched order and gets its deposit back. */
@Command(name = "cancel", description = "Cancel an open order (no bids yet, or not matched in time) and get the deposit back.")
public class CancelCommand extends ChainCommand {
    @Parameters(paramLabel = "ORDER", description = "The order id.")
    long orderId;

    @Override
    public Integer call() {
        Output output = output();
        try (ChainSession chain = openChain()) {
            Order order = chain.reader().order(orderId).orElseThrow(() -> new CliException("no order " + orderId + " on chain"));
            if (!order.isOpen()) {
                throw new CliException("order " + orderId + " is " + order.state() + (order.leaseId() != 0
                        ? " (lease " + order.leaseId() + "; close it with `spheron close " + order.leaseId() + "`)" : ""));
            }
            try {
                chain.tenant().cancelOrder(orderId);
            } catch (ContractRevertException e) {
                if (e.errorName().equals("CannotCancelYet")) {
                    throw new CliException("order " + orderId + " has bids and may still be matched; it can be cancelled after block "
                            + e.arguments().get(1) + " if it is not");
                }
                if (e.errorName().equals("NotTenant")) {
                    throw new CliException("order " + orderId + " belongs to " + order.tenant() + ", not to " + chain.address());
                }
                throw e;
            }
            output.line("cancelled    order " + orderId + "; " + chain.tokens(order.deposit()) + " refunded");
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("orderId", orderId);
            result.put("refunded", TokenAmount.plain(order.deposit()));
            output.result(result);
            return 0;
        }
    }
}
