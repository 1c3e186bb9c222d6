package org.openspheron.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openspheron.chain.ProtocolVerifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spheron protocol verify}: is the protocol at these addresses this build's? Each contract's code is compared
 * with the compiled runtime code (immutables masked) and the contracts' links to each other are read back.
 */
@Command(name = "verify", description = "Check that the contracts in the addresses file run this build's code and point at each other.")
public class ProtocolVerifyCommand extends ChainCommand {
    @Option(names = "--external-token", description = "The token is an existing ERC-20 (e.g. USDC), not the stand-in token.")
    boolean externalToken;

    @Override
    public Integer call() {
        Output output = output();
        try (ChainSession chain = openChain()) {
            List<ProtocolVerifier.Check> checks = ProtocolVerifier.verify(chain.connection(), !externalToken);
            checks.forEach(c -> output.line((c.passed() ? "verified     " : "MISMATCH     ") + c.subject() + ": " + c.detail()));
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("chainId", chain.connection().chainId());
            result.put("verified", checks.stream().allMatch(ProtocolVerifier.Check::passed));
            result.put("checks", checks);
            output.result(result);
            long failed = checks.stream().filter(c -> !c.passed()).count();
            if (failed > 0) {
                throw new CliException(failed + " of " + checks.size() + " checks failed: "
                        + checks.stream().filter(c -> !c.passed()).map(c -> c.subject() + " (" + c.detail() + ")").toList());
            }
            return 0;
        }
    }
}
