package org.openspheron.cli;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openspheron.chain.ContractRevertException;
import org.openspheron.chain.Lease;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code spheron top-up LEASE AMOUNT}: more escrow, so the lease is not closed for lack of funds. */
@Command(name = "top-up", description = "Add tokens to a lease's escrow.")
public class TopUpCommand extends ChainCommand {
    @Parameters(index = "0", paramLabel = "LEASE", description = "The lease id.")
    long leaseId;

    @Parameters(index = "1", paramLabel = "AMOUNT", description = "Tokens to add, e.g. 12.5.")
    String amount;

    @Override
    public Integer call() {
        Output output = output();
        BigInteger units = TokenAmount.parse(amount);
        try (ChainSession chain = openChain()) {
            Lease lease = chain.lease(leaseId);
            if (!lease.isActive()) {
                throw new CliException("lease " + leaseId + " is " + lease.state() + "; only an active lease can be topped up");
            }
            BigInteger balance = chain.reader().tokenBalance(chain.address());
            if (balance.compareTo(units) < 0) {
                throw new CliException("the account holds " + chain.tokens(balance) + ", less than " + chain.tokens(units));
            }
            try {
                chain.tenant().topUp(leaseId, units);
            } catch (ContractRevertException e) {
                if (e.errorName().equals("EscrowExhausted")) {
                    throw new CliException("lease " + leaseId + " ran out of escrow and ended then; a top-up would only pay"
                            + " for the time it ran unfunded. Close it with `spheron close " + leaseId + "` and deploy again");
                }
                throw e;
            }
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
