package org.openspheron.cli;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.openspheron.chain.Lease;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code spheron top-up LEASE AMOUNT}: more escrow, so the lease is not closed for lack of funds. */
@Command(name = "top-up", description = "Add tokens to a lease's escrow.")
public class TopUpCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Mixin
    ChainOptions chainOptions;

    @Parameters(index = "0", paramLabel = "LEASE", description = "The lease id.")
    long leaseId;

    @Parameters(index = "1", paramLabel = "AMOUNT", description = "Tokens to add, e.g. 12.5.")
    String amount;

    @Override
    public Integer call() {
        Output output = new Output(spec, common.json);
        BigInteger units = TokenAmount.parse(amount);
        try (ChainSession chain = ChainSession.open(chainOptions, common.home())) {
            Lease lease = chain.reader().lease(leaseId).orElseThrow(() -> new CliException("no lease " + leaseId + " on chain"));
            if (!lease.isActive()) {
                throw new CliException("lease " + leaseId + " is " + lease.state() + "; only an active lease can be topped up");
            }
            BigInteger balance = chain.reader().tokenBalance(chain.address());
            if (balance.compareTo(units) < 0) {
                throw new CliException("the account holds " + chain.tokens(balance) + ", less than " + chain.tokens(units));
            }
            chain.tenant().topUp(leaseId, units);
            Lease after = chain.reader().requireLease(leaseId);
            output.line("topped up    lease " + leaseId + " with " + chain.tokens(units) + "; escrow now " + chain.tokens(after.balance()));
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("leaseId", leaseId);
            result.put("added", TokenAmount.plain(units));
            result.put("balance", TokenAmount.plain(after.balance()));
            output.result(result);
            return 0;
        }
    }
}
