package org.openspheron.cli;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.openspheron.chain.ChainConnection;
import org.openspheron.chain.FeeOptions;
import org.openspheron.chain.ProtocolConfig;
import org.openspheron.chain.ProtocolDeployer;
import org.openspheron.chain.ProtocolDeployment;
import org.openspheron.chain.ProtocolVerifier;
import org.openspheron.chain.rpc.RpcUrls;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code spheron protocol deploy}: the protocol on any EVM chain, from an RPC URL and a key. Nothing is sent before
 * the node's chain id is the one the caller named, and every contract's gas is estimated first (a dry run stops
 * there). After the deployment each contract's code is read back and compared with this build's, and its
 * parameters with the ones asked for.
 */
@Command(name = "deploy", description = "Deploy the protocol's contracts to a chain and write its addresses file.")
public class ProtocolDeployCommand extends HomeCommand {
    @Option(names = "--rpc-url", paramLabel = "URL", defaultValue = "${env:SPHERON_RPC_URL:-http://127.0.0.1:8545}",
            description = "The chain's JSON-RPC endpoint (default: $SPHERON_RPC_URL, else ${DEFAULT-VALUE}).")
    String rpcUrl;

    @Option(names = "--chain-id", paramLabel = "ID", required = true,
            description = "The chain you mean (e.g. 8453 for Base); nothing is sent unless the node reports it.")
    long chainId;

    @Option(names = "--dry-run", description = "Print what would be deployed, its gas and cost at current fees; send nothing.")
    boolean dryRun;

    @Option(names = "--out", paramLabel = "FILE", description = "Where to write the addresses (default: "
            + "addresses.properties in the home directory); an existing file is not overwritten.")
    Path out;

    @Option(names = "--token", paramLabel = "ADDRESS", description = "Settle in this existing ERC-20 with six decimals "
            + "(e.g. USDC); without it a stand-in token anyone's owner can mint is deployed: test networks only.")
    String token;

    @Option(names = "--treasury", paramLabel = "ADDRESS", required = true, description = "Receives slashed stake.")
    String treasury;

    @Mixin
    SignerOptions signer;

    @ArgGroup(validate = false, heading = "Protocol parameters:%n")
    DeployParameters parameters = new DeployParameters();

    @Override
    public Integer call() {
        Output output = output();
        ProtocolConfig config = parameters.config();
        requireAddress("--treasury", treasury);
        Optional<String> existingToken = Optional.ofNullable(token);
        existingToken.ifPresent(t -> requireAddress("--token", t));
        Path file = out != null ? out : common.home().addressesFile();
        if (!dryRun && Files.exists(file)) {
            throw new CliException(file + " already exists; it is not overwritten (pass --out FILE for another)");
        }
        Credentials key = signer.credentials(common.home());
        try (ChainConnection bare = ChainConnection.connect(rpcUrl)) {
            if (bare.chainId() != chainId) {
                throw new CliException("the node at " + RpcUrls.shownList(rpcUrl) + " is chain " + bare.chainId() + ", not chain " + chainId
                        + " (--chain-id); nothing was sent");
            }
            ChainConnection connection = bare.withFees(signer.fees());
            FeeOptions.FeeQuote fees = connection.fees().orElseThrow().quote(connection.web3j());
            String deployer = Keys.toChecksumAddress(key.getAddress());
            output.line("chain        " + chainId + " at " + RpcUrls.shownList(rpcUrl));
            output.line("deployer     " + deployer + ", balance " + SignerOptions.ether(connection.balanceOfEth(deployer)));
            output.line("fees         base " + SignerOptions.gwei(fees.baseFee()) + ", priority "
                    + SignerOptions.gwei(fees.maxPriorityFeePerGas()) + ", at most " + SignerOptions.gwei(fees.maxFeePerGas()));
            ProtocolDeployment plan = ProtocolDeployer.plan(connection, deployer, config, treasury, existingToken);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("chainId", chainId);
            result.put("deployer", deployer);
            result.put("dryRun", dryRun);
            result.put("fees", Map.of("baseFeeWei", fees.baseFee().toString(),
                    "maxPriorityFeePerGasWei", fees.maxPriorityFeePerGas().toString(), "maxFeePerGasWei", fees.maxFeePerGas().toString()));
            BigInteger expected = fees.expectedCost(plan.totalGas());
            if (dryRun) {
                printPlan(output, plan, fees);
                result.put("steps", steps(plan));
                result.put("addresses", plan.addresses().toProperties());
                result.put("estimatedGas", plan.totalGas().toString());
                result.put("estimatedCostWei", expected.toString());
                result.put("maxCostWei", fees.maxCost(plan.totalGas()).toString());
                output.result(result);
                return 0;
            }
            BigInteger balance = connection.balanceOfEth(deployer);
            if (balance.compareTo(expected) < 0) {
                throw new CliException("the deployer " + deployer + " holds " + SignerOptions.ether(balance)
                        + "; the deployment needs about " + SignerOptions.ether(expected) + " at current fees; nothing was sent");
            }
            ProtocolDeployment deployment = ProtocolDeployer.deploy(connection, key, config, treasury, existingToken,
                    step -> output.progress(String.format("%-28s %s  tx %s  gas %,d", step.name(), step.address(),
                            step.transactionHash(), step.gas())));
            deployment.addresses().write(file);
            output.line("addresses    written to " + file);
            List<ProtocolVerifier.Check> checks = verify(connection.using(deployment.addresses()), config, existingToken.isEmpty(), deployer);
            checks.forEach(c -> output.line((c.passed() ? "verified     " : "MISMATCH     ") + c.subject() + ": " + c.detail()));
            result.put("steps", steps(deployment));
            result.put("addresses", deployment.addresses().toProperties());
            result.put("addressesFile", file.toString());
            result.put("gasUsed", deployment.totalGas().toString());
            result.put("verification", checks);
            output.result(result);
            long failed = checks.stream().filter(c -> !c.passed()).count();
            if (failed > 0) {
                throw new CliException(failed + " verification checks failed: the chain does not hold what was deployed");
            }
            return 0;
        }
    }

    /** The code first; the parameters only from code known to be ours, whose getters can be believed. */
    private List<ProtocolVerifier.Check> verify(ChainConnection deployed, ProtocolConfig config, boolean standInToken,
            String owner) {
        List<ProtocolVerifier.Check> checks = new ArrayList<>(ProtocolVerifier.verify(deployed, standInToken));
        if (checks.stream().allMatch(ProtocolVerifier.Check::passed)) {
            checks.addAll(ProtocolVerifier.verifyParameters(deployed, config, treasury, owner));
        }
        return checks;
    }

    private static void printPlan(Output output, ProtocolDeployment plan, FeeOptions.FeeQuote fees) {
        output.line("dry run      nothing is sent; addresses hold if the deployer sends nothing else first");
        for (ProtocolDeployment.Step step : plan.steps()) {
            output.line(String.format("%-28s %s  gas %,d  about %s", step.name(), step.address(), step.gas(),
                    SignerOptions.ether(fees.expectedCost(step.gas()))));
            step.parameters().forEach((k, v) -> output.line("    " + k + " = " + v));
        }
        output.line(String.format("total        gas %,d, about %s at current fees, at most %s", plan.totalGas(),
                SignerOptions.ether(fees.expectedCost(plan.totalGas())), SignerOptions.ether(fees.maxCost(plan.totalGas()))));
    }

    private static List<Map<String, Object>> steps(ProtocolDeployment deployment) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ProtocolDeployment.Step step : deployment.steps()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("name", step.name());
            s.put("address", step.address());
            s.put("parameters", step.parameters());
            s.put("gas", step.gas().toString());
            if (step.sent()) {
                s.put("transactionHash", step.transactionHash());
            }
            out.add(s);
        }
        return out;
    }

    /**
     * Refuses what is not an address, and a mixed-case address whose EIP-55 checksum does not match: a one-character
     * typo in a copied address would otherwise send funds or ownership to an address nobody holds. All lower or all
     * upper case carries no checksum and is taken as written.
     */
    static void requireAddress(String option, String value) {
        if (value == null || !value.matches("0x[0-9a-fA-F]{40}")) {
            throw new CliException(option + " " + value + " is not an address (0x and 40 hex digits)");
        }
        String hex = value.substring(2);
        boolean mixedCase = !hex.equals(hex.toLowerCase(java.util.Locale.ROOT)) && !hex.equals(hex.toUpperCase(java.util.Locale.ROOT));
        if (mixedCase && !org.web3j.crypto.Keys.toChecksumAddress(value).equals(value)) {
            throw new CliException(option + " " + value + " has a wrong checksum (its letter case): a typo? Copy it "
                    + "again; written in lower case it is taken without the check");
        }
    }

    /** The {@link ProtocolConfig} fields as options, with defaults for a public chain of about two-second blocks. */
    static class DeployParameters {
        @Option(names = "--matchmaker", paramLabel = "ADDRESS", split = ",", required = false,
                description = "A matchmaker operator's address (repeat, or separate with commas); at least one.")
        List<String> matchmakers = new ArrayList<>();

        @Option(names = "--threshold", paramLabel = "N", description = "Signatures a match needs: a strict majority of "
                + "the matchmakers (default: the smallest one).")
        Integer threshold;

        @Option(names = "--bid-window", paramLabel = "BLOCKS", defaultValue = "30",
                description = "Blocks providers bid on an order (default: ${DEFAULT-VALUE}).")
        long bidWindowBlocks;

        @Option(names = "--match-window", paramLabel = "BLOCKS", defaultValue = "150",
                description = "Blocks after the bid window an order may be matched, 1 to 255 (default: ${DEFAULT-VALUE}).")
        long matchWindowBlocks;

        @Option(names = "--confirm-window", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "10min",
                description = "Time a provider has to confirm a deployment (default: ${DEFAULT-VALUE}).")
        Duration confirmWindow;

        @Option(names = "--slash", paramLabel = "TOKENS", defaultValue = "50",
                description = "Stake taken from a provider that misses that deadline (default: ${DEFAULT-VALUE}).")
        String slash;

        @Option(names = "--min-stake", paramLabel = "TOKENS", defaultValue = "100",
                description = "Stake a provider needs to bid (default: ${DEFAULT-VALUE}).")
        String minStake;

        @Option(names = "--cooldown", paramLabel = "BLOCKS", defaultValue = "43200",
                description = "Blocks between an unstake request and its withdrawal (default: ${DEFAULT-VALUE}, a day of 2 s blocks).")
        long cooldownBlocks;

        @Option(names = "--heartbeat-epoch", paramLabel = "BLOCKS", defaultValue = "300",
                description = "Blocks per heartbeat epoch (default: ${DEFAULT-VALUE}).")
        long heartbeatEpochBlocks;

        @Option(names = "--operator-change-delay", paramLabel = "DURATION", converter = DurationConverter.class,
                defaultValue = "2d", description = "How long every operator-set change waits before it can be executed "
                + "(default: ${DEFAULT-VALUE}).")
        Duration operatorChangeDelay;

        ProtocolConfig config() {
            if (matchmakers.isEmpty()) {
                throw new CliException("name the matchmaker operators with --matchmaker ADDRESS (at least one)");
            }
            matchmakers.forEach(m -> requireAddress("--matchmaker", m));
            int n = matchmakers.size();
            int t = threshold != null ? threshold : n / 2 + 1;
            try {
                return new ProtocolConfig(bidWindowBlocks, matchWindowBlocks, confirmWindow.toSeconds(), TokenAmount.parse(slash),
                        TokenAmount.parse(minStake), cooldownBlocks, heartbeatEpochBlocks, matchmakers, t,
                        operatorChangeDelay.toSeconds());
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage());
            }
        }
    }
}
