package org.openspheron.chain.bench;

import static org.openspheron.chain.ProtocolFixture.gpuOrder;
import static org.openspheron.chain.ProtocolFixture.tokens;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openspheron.chain.ChainException;
import org.openspheron.chain.GpuOffer;
import org.openspheron.chain.LocalChain;
import org.openspheron.chain.MatchmakerClient.MatchSignature;
import org.openspheron.chain.ProtocolConfig;
import org.openspheron.chain.ProtocolFixture;
import org.openspheron.chain.ProtocolReader;
import org.openspheron.chain.ProviderClient;
import org.openspheron.chain.TenantClient;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.EthBlock;

/**
 * Gas used by the protocol's main transactions, measured on a fresh anvil chain, so later work can lower it.
 * The protocol is deployed twice, once with a 2-of-3 and once with a 3-of-5 matchmaker quorum, and each runs
 * the same path: register, order, bid, match, confirm, withdraw after 30 minutes, close by the tenant 30 minutes later.
 * The table prints each figure beside issue 12's baseline and target.
 *
 * <p>Run: {@code mvn -B -ntp -pl chain -am -Pgas-report process-test-classes}
 */
public final class GasReport {
    public static final String REGISTER = "register (2 GPU models)";
    public static final String CREATE_ORDER = "createOrder";
    public static final String SUBMIT_BID = "submitBid";
    public static final String MATCH_2_OF_3 = "matchOrder, 2 of 3 signatures";
    public static final String MATCH_3_OF_5 = "matchOrder, 3 of 5 signatures";
    public static final String CONFIRM = "confirmDeployment";
    public static final String WITHDRAW = "withdraw";
    public static final String CLOSE = "closeLease";

    private GasReport() {
    }

    /** Gas used per operation, in the order measured. */
    public record Figures(Map<String, Long> gasUsed) {
        public long of(String operation) {
            Long gas = gasUsed.get(operation);
            if (gas == null) {
                throw new IllegalArgumentException("not measured: " + operation);
            }
            return gas;
        }
    }

    public static void main(String[] args) {
        print(measure(), System.out);
    }

    public static Figures measure() {
        Map<String, Long> gas = new LinkedHashMap<>();
        try (LocalChain chain = LocalChain.startDefault()) {
            List<Credentials> threeOperators = accounts(chain, 1, 3);
            List<Credentials> fiveOperators = accounts(chain, 20, 5);
            Map<String, Long> small = runPath(chain, threeOperators, 2);
            Map<String, Long> large = runPath(chain, fiveOperators, 3);
            gas.put(REGISTER, small.get("register"));
            gas.put(CREATE_ORDER, small.get("createOrder"));
            gas.put(SUBMIT_BID, small.get("submitBid"));
            gas.put(MATCH_2_OF_3, small.get("matchOrder"));
            gas.put(MATCH_3_OF_5, large.get("matchOrder"));
            gas.put(CONFIRM, small.get("confirmDeployment"));
            gas.put(WITHDRAW, small.get("withdraw"));
            gas.put(CLOSE, small.get("closeLease"));
        }
        return new Figures(gas);
    }

    /** Issue 12's figures before protocol v2 (the project's own report then), the baseline the targets halve. */
    static final Map<String, Long> BASELINE = Map.of(CREATE_ORDER, 366_251L, SUBMIT_BID, 152_483L, MATCH_2_OF_3, 415_440L,
            MATCH_3_OF_5, 423_882L, CONFIRM, 57_869L, WITHDRAW, 78_232L, CLOSE, 88_704L);
    /** Issue 12's targets; the lifecycle's is half its baseline. */
    static final Map<String, Long> TARGET = Map.of(CREATE_ORDER, 150_000L, SUBMIT_BID, 75_000L, MATCH_3_OF_5, 150_000L);
    static final String LIFECYCLE = "lifecycle, one bid (2 of 3)";
    private static final List<String> LIFECYCLE_STEPS = List.of(CREATE_ORDER, SUBMIT_BID, MATCH_2_OF_3, CONFIRM, WITHDRAW, CLOSE);

    /** The whole of an order's transactions with one bid: order, bid, match, confirm, withdraw, close. */
    static long lifecycle(Map<String, Long> gas) {
        return LIFECYCLE_STEPS.stream().mapToLong(gas::get).sum();
    }

    /** The table: gas used beside the baseline and the target where there is one, and whether it is met. */
    public static void print(Figures figures, PrintStream out) {
        Map<String, Long> used = new LinkedHashMap<>(figures.gasUsed());
        used.put(LIFECYCLE, lifecycle(figures.gasUsed()));
        Map<String, Long> target = new LinkedHashMap<>(TARGET);
        target.put(LIFECYCLE, lifecycle(BASELINE) / 2);
        Map<String, Long> baseline = new LinkedHashMap<>(BASELINE);
        baseline.put(LIFECYCLE, lifecycle(BASELINE));
        out.println();
        out.printf("%-34s %10s %10s %10s %s%n", "operation", "gas used", "baseline", "target", "");
        out.printf("%-34s %10s %10s %10s %s%n", "-".repeat(34), "-".repeat(10), "-".repeat(10), "-".repeat(10), "-".repeat(7));
        used.forEach((operation, gas) -> {
            Long goal = target.get(operation);
            Long before = baseline.get(operation);
            out.printf("%-34s %,10d %10s %10s %s%n", operation, gas, before == null ? "-" : String.format("%,d", before),
                    goal == null ? "-" : String.format("%,d", goal), goal == null ? "" : gas <= goal ? "met" : "not met");
        });
        out.println();
    }

    /** One protocol deployment with {@code operators} at {@code threshold}, through a lease's life. */
    private static Map<String, Long> runPath(LocalChain chain, List<Credentials> operators, int threshold) {
        ProtocolConfig config = ProtocolConfig.local(operators.stream().map(Credentials::getAddress).toList(), threshold);
        ProtocolFixture protocol = ProtocolFixture.start(config, chain);
        Web3j web3j = protocol.connection().web3j();
        Map<String, Long> gas = new LinkedHashMap<>();

        ProviderClient provider = protocol.provider(0);
        provider.register("us-east", "us-east-1a", "https://provider.example:8443",
                List.of(new GpuOffer("H100", 8, 8), new GpuOffer("A100", 4, 4)), config.minStake());
        gas.put("register", lastTransactionGas(web3j));

        TenantClient tenant = protocol.tenant(0);
        long orderId = tenant.createOrder(gpuOrder(1, "H100", "us-east", tokens(4)), tokens(20));
        gas.put("createOrder", lastTransactionGas(web3j));

        int bid = provider.submitBid(orderId, tokens(3));
        gas.put("submitBid", lastTransactionGas(web3j));

        protocol.closeBidWindow(orderId);
        ProtocolReader reader = protocol.reader();
        byte[] digest = reader.matchDigest(orderId, bid, reader.seed(orderId).orElseThrow());
        List<MatchSignature> signatures = new ArrayList<>();
        for (Credentials operator : operators.subList(0, threshold)) {
            signatures.add(MatchSignature.sign(digest, operator));
        }
        long leaseId = protocol.matchmaker(0).matchOrder(orderId, bid, signatures);
        gas.put("matchOrder", lastTransactionGas(web3j));

        provider.confirmDeployment(leaseId);
        gas.put("confirmDeployment", lastTransactionGas(web3j));

        chain.increaseTime(Duration.ofMinutes(30));
        provider.withdraw(leaseId);
        gas.put("withdraw", lastTransactionGas(web3j));

        // A tenant closing a running lease owes the provider the time since its withdrawal: the close credits it.
        // Without time passing, that share is 0 or not by the second the block lands in, and the figure wobbles.
        chain.increaseTime(Duration.ofMinutes(30));
        tenant.closeLease(leaseId);
        gas.put("closeLease", lastTransactionGas(web3j));
        return gas;
    }

    /** anvil mines one block per transaction, so the latest block holds exactly the one just sent. */
    private static long lastTransactionGas(Web3j web3j) {
        try {
            EthBlock.Block block = web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send().getBlock();
            if (block.getTransactions().size() != 1) {
                throw new ChainException("expected one transaction in block " + block.getNumber() + ", found "
                        + block.getTransactions().size());
            }
            String hash = (String) block.getTransactions().get(0).get();
            return web3j.ethGetTransactionReceipt(hash).send().getTransactionReceipt()
                    .orElseThrow(() -> new ChainException("no receipt for " + hash))
                    .getGasUsed().longValueExact();
        } catch (IOException e) {
            throw new ChainException("cannot read the last transaction's gas: " + e.getMessage(), e);
        }
    }

    private static List<Credentials> accounts(LocalChain chain, int first, int count) {
        List<Credentials> keys = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            keys.add(chain.account(i));
        }
        return keys;
    }
}
