package org.openspheron.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openspheron.chain.Lease;
import picocli.CommandLine.Command;

/** {@code spheron leases}: the account's leases, open and closed. */
@Command(name = "leases", description = "List the account's leases.")
public class LeasesCommand extends ChainCommand {
    @Override
    public Integer call() {
        Output output = output();
        try (ChainSession chain = openChain()) {
            List<Map<String, Object>> rows = new ArrayList<>();
            output.line(String.format("%-6s %-6s %-7s %-43s %-14s %s", "LEASE", "ORDER", "STATE", "PROVIDER", "PRICE/H", "ESCROW"));
            for (long id : chain.reader().tenantLeasesOf(chain.address())) {
                Lease lease = chain.reader().requireLease(id);
                output.line(String.format("%-6d %-6d %-7s %-43s %-14s %s", lease.id(), lease.orderId(), lease.state(),
                        lease.provider(), chain.tokens(lease.pricePerHour()), chain.tokens(lease.balance())));
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("leaseId", lease.id());
                row.put("orderId", lease.orderId());
                row.put("state", lease.state().name());
                row.put("provider", lease.provider());
                row.put("pricePerHour", TokenAmount.plain(lease.pricePerHour()));
                row.put("balance", TokenAmount.plain(lease.balance()));
                row.put("paid", TokenAmount.plain(lease.paid()));
                rows.add(row);
            }
            output.result(rows);
            return 0;
        }
    }
}
