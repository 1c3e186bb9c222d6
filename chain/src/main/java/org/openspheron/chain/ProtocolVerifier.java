package org.openspheron.chain;

import static org.openspheron.chain.ProtocolReader.call;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.openspheron.contracts.generated.DeploymentOrder;
import org.openspheron.contracts.generated.MatchmakerSet;
import org.openspheron.contracts.generated.ProviderRegistry;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.utils.Numeric;

/**
 * Checks a deployed protocol against this build: each contract's code as the chain holds it ({@code eth_getCode})
 * equals the compiled runtime code with the constructor-set immutables masked ({@link CompiledRuntime}); the
 * contracts point at each other; and, for a deployment this process made, every immutable and the initial
 * operator set hold the parameters it was deployed with, read through the contracts' getters.
 */
public final class ProtocolVerifier {
    /**
     * One thing checked.
     *
     * @param subject what was checked, e.g. {@code DeploymentOrder code} or {@code ProviderRegistry.slasher}
     * @param passed whether it holds
     * @param detail what was found
     */
    public record Check(String subject, boolean passed, String detail) {
    }

    private ProtocolVerifier() {
    }

    /**
     * The code and wiring checks for the protocol at {@code connection.addresses()}. With {@code standInToken} the
     * token is checked to be this build's PaymentToken; otherwise only that a contract is there (an existing ERC-20
     * such as USDC is not ours to check).
     */
    public static List<Check> verify(ChainConnection connection, boolean standInToken) {
        ProtocolAddresses a = connection.addresses();
        List<Check> checks = new ArrayList<>();
        if (standInToken) {
            checks.add(code(connection, "PaymentToken", a.token()));
        } else {
            boolean there = hasCode(connection, a.token());
            checks.add(new Check("token code", there, there ? "an existing ERC-20 at " + a.token() + " (not ours to check)"
                    : "no contract at " + a.token()));
        }
        checks.add(code(connection, "MatchmakerSet", a.matchmakers()));
        checks.add(code(connection, "ProviderRegistry", a.registry()));
        checks.add(code(connection, "CertificateRegistry", a.certificates()));
        checks.add(code(connection, "DeploymentOrder", a.orders()));
        if (checks.stream().allMatch(Check::passed)) {
            // Getters of code that is not ours could say anything; read them only once the code is known.
            DeploymentOrder orders = orders(connection);
            ProviderRegistry registry = registry(connection);
            same(checks, "DeploymentOrder.token", a.token(), call("token", orders.token()));
            same(checks, "DeploymentOrder.registry", a.registry(), call("registry", orders.registry()));
            same(checks, "DeploymentOrder.matchmakers", a.matchmakers(), call("matchmakers", orders.matchmakers()));
            same(checks, "ProviderRegistry.token", a.token(), call("token", registry.token()));
            same(checks, "ProviderRegistry.slasher", a.orders(), call("slasher", registry.slasher()));
        }
        return checks;
    }

    /**
     * The parameters the protocol was deployed with, read back: every immutable of the registry and the order
     * contract, the operator set, its threshold and change delay, and who owns the contracts. Call after a
     * passing {@link #verify}.
     */
    public static List<Check> verifyParameters(ChainConnection connection, ProtocolConfig config, String treasury, String owner) {
        List<Check> checks = new ArrayList<>();
        DeploymentOrder orders = orders(connection);
        ProviderRegistry registry = registry(connection);
        MatchmakerSet matchmakers = MatchmakerSet.load(connection.addresses().matchmakers(), connection.web3j(),
                connection.readOnly(), connection.gasProvider());
        same(checks, "DeploymentOrder.bidWindowBlocks", config.bidWindowBlocks(), call("bidWindowBlocks", orders.bidWindowBlocks()));
        same(checks, "DeploymentOrder.matchWindowBlocks", config.matchWindowBlocks(), call("matchWindowBlocks", orders.matchWindowBlocks()));
        same(checks, "DeploymentOrder.confirmWindowSeconds", config.confirmWindowSeconds(),
                call("confirmWindowSeconds", orders.confirmWindowSeconds()));
        same(checks, "DeploymentOrder.missedDeploymentSlash", config.missedDeploymentSlash(),
                call("missedDeploymentSlash", orders.missedDeploymentSlash()));
        same(checks, "ProviderRegistry.minStake", config.minStake(), call("minStake", registry.minStake()));
        same(checks, "ProviderRegistry.unstakeCooldownBlocks", config.unstakeCooldownBlocks(),
                call("unstakeCooldownBlocks", registry.unstakeCooldownBlocks()));
        // The registry stores an epoch of 0 as 1 (an epoch has at least one block).
        same(checks, "ProviderRegistry.heartbeatEpochBlocks", Math.max(1, config.heartbeatEpochBlocks()),
                call("heartbeatEpochBlocks", registry.heartbeatEpochBlocks()));
        same(checks, "ProviderRegistry.treasury", treasury, call("treasury", registry.treasury()));
        same(checks, "ProviderRegistry.owner", owner, call("owner", registry.owner()));
        @SuppressWarnings("unchecked")
        List<String> operators = (List<String>) call("operators", matchmakers.operators());
        same(checks, "MatchmakerSet.operators", lower(config.matchmakers()), lower(operators));
        same(checks, "MatchmakerSet.threshold", config.threshold(), call("threshold", matchmakers.threshold()));
        same(checks, "MatchmakerSet.changeDelaySeconds", config.operatorChangeDelaySeconds(),
                call("changeDelaySeconds", matchmakers.changeDelaySeconds()));
        same(checks, "MatchmakerSet.owner", owner, call("owner", matchmakers.owner()));
        return checks;
    }

    static boolean hasCode(ChainConnection connection, String address) {
        return deployedCode(connection, address).length > 0;
    }

    private static Check code(ChainConnection connection, String contract, String address) {
        return CompiledRuntime.of(contract).mismatch(deployedCode(connection, address))
                .map(why -> new Check(contract + " code", false, address + ": " + why))
                .orElseGet(() -> new Check(contract + " code", true, address + " runs the compiled " + contract));
    }

    private static byte[] deployedCode(ChainConnection connection, String address) {
        try {
            return Numeric.hexStringToByteArray(
                    connection.web3j().ethGetCode(address, DefaultBlockParameterName.LATEST).send().getCode());
        } catch (IOException e) {
            throw new ChainException("cannot read the code at " + address + ": " + e.getMessage(), e);
        }
    }

    private static DeploymentOrder orders(ChainConnection c) {
        return DeploymentOrder.load(c.addresses().orders(), c.web3j(), c.readOnly(), c.gasProvider());
    }

    private static ProviderRegistry registry(ChainConnection c) {
        return ProviderRegistry.load(c.addresses().registry(), c.web3j(), c.readOnly(), c.gasProvider());
    }

    private static void same(List<Check> checks, String subject, Object expected, Object actual) {
        Object want = normal(expected);
        Object got = normal(actual);
        boolean passed = Objects.equals(want, got);
        checks.add(new Check(subject, passed, passed ? String.valueOf(got) : "is " + got + ", expected " + want));
    }

    private static Object normal(Object value) {
        if (value instanceof String s) {
            return s.toLowerCase(Locale.ROOT);
        }
        if (value instanceof Number n && !(value instanceof BigInteger)) {
            return BigInteger.valueOf(n.longValue());
        }
        return value;
    }

    private static List<String> lower(List<String> addresses) {
        return addresses.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
    }
}
