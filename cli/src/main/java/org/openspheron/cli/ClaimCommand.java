package org.openspheron.cli;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;
import org.web3j.crypto.Keys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spheron claim}: takes out what the order contract holds for the account. A refund that another party's
 * transaction settled (the provider closed or declined the lease, or a withdrawal ended it) is held there rather
 * than sent, so no one's standing with the token can block anyone else's money.
 */
@Command(name = "claim", description = "Take out the refunds the order contract holds for you (from leases the provider ended).")
public class ClaimCommand extends ChainCommand {
    @Option(names = "--to", paramLabel = "ADDRESS", description = "Send to this address instead of the account's own.")
    String to;

    @Override
    public Integer call() {
        Output output = output();
        if (to != null) {
            ProtocolDeployCommand.requireAddress("--to", to);
        }
        try (ChainSession chain = openChain()) {
            String receiver = to == null ? chain.address() : to;
            BigInteger held = chain.reader().claimable(chain.address());
            BigInteger claimed = BigInteger.ZERO;
            if (held.signum() == 0) {
                output.line("claimed      nothing: no refund is held for " + Keys.toChecksumAddress(chain.address()));
            } else {
                claimed = chain.tenant().claim(receiver);
                output.line("claimed      " + chain.tokens(claimed) + " to " + Keys.toChecksumAddress(receiver));
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("claimed", TokenAmount.plain(claimed));
            result.put("to", Keys.toChecksumAddress(receiver));
            output.result(result);
            return 0;
        }
    }
}
