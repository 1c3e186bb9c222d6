package org.openspheron.chain;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.openspheron.contracts.generated.CertificateRegistry;
import org.openspheron.contracts.generated.DeploymentOrder;
import org.openspheron.contracts.generated.MatchmakerSet;
import org.openspheron.contracts.generated.PaymentToken;
import org.openspheron.contracts.generated.ProviderRegistry;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.crypto.ContractUtils;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthEstimateGas;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.Contract;
import org.web3j.utils.Numeric;

/**
 * Deploys the whole protocol — payment token (unless an existing ERC-20 is used), matchmaker set, provider
 * registry, certificate registry and the order contract — and wires the order contract in as the registry's only
 * slasher. A {@link #plan} shows the same transactions with the node's gas estimates and sends nothing.
 */
public final class ProtocolDeployer {
    public static final String TEST_TOKEN_NAME = "Spheron Test USD";
    public static final String TEST_TOKEN_SYMBOL = "sUSD";
    /** The decimals every amount of the protocol's tools is written in (USDC's and USDT's). */
    public static final int TOKEN_DECIMALS = 6;
    /**
     * setSlasher's gas in a plan: it calls a registry that does not exist yet, so the node cannot estimate it. It
     * writes one storage slot and logs an event; 47,5xx on anvil, rounded up.
     */
    static final BigInteger SET_SLASHER_GAS = BigInteger.valueOf(55_000);

    private ProtocolDeployer() {
    }

    /** A contract creation: its init code and what it is created with. */
    private record Creation(String name, Class<? extends Contract> type, String binary, List<Type> arguments,
            Map<String, String> parameters) {
        String data() {
            return binary + FunctionEncoder.encodeConstructor(arguments);
        }
    }

    /**
     * Deploys with {@code owner} as the owner of every contract and {@code treasury} as the receiver of slashes.
     *
     * @return the addresses, ready for {@link ChainConnection#connect}
     */
    public static ProtocolAddresses deploy(ChainConnection connection, Credentials owner, ProtocolConfig config, String treasury) {
        return deploy(connection, owner, config, treasury, Optional.empty(), step -> { }).addresses();
    }

    /**
     * Deploys as above; with {@code existingToken} the protocol settles in that ERC-20 (it must have six decimals)
     * instead of a new stand-in token. {@code progress} hears of each transaction once it is mined.
     */
    public static ProtocolDeployment deploy(ChainConnection connection, Credentials owner, ProtocolConfig config,
            String treasury, Optional<String> existingToken, Consumer<ProtocolDeployment.Step> progress) {
        existingToken.ifPresent(token -> requireSixDecimalToken(connection, token));
        TransactionSender sender = connection.sender(owner);
        List<ProtocolDeployment.Step> steps = new ArrayList<>();
        Consumer<ProtocolDeployment.Step> record = step -> {
            steps.add(step);
            progress.accept(step);
        };
        String token = existingToken.orElseGet(() -> create(sender, tokenCreation(), record));
        String matchmakers = create(sender, matchmakersCreation(config), record);
        String registry = create(sender, registryCreation(config, token, treasury), record);
        String certificates = create(sender, certificatesCreation(), record);
        String orders = create(sender, ordersCreation(config, token, registry, matchmakers), record);

        ProviderRegistry registryContract = ProviderRegistry.load(registry, connection.web3j(), sender.manager(),
                connection.gasProvider());
        TransactionReceipt wired = sender.send("setSlasher", registryContract.setSlasher(orders));
        record.accept(new ProtocolDeployment.Step("ProviderRegistry.setSlasher", registry, Map.of("slasher", orders),
                wired.getGasUsed(), wired.getTransactionHash()));
        return new ProtocolDeployment(new ProtocolAddresses(token, registry, orders, matchmakers, certificates), steps);
    }

    /**
     * What {@link #deploy} would send from {@code deployer}, with the node's gas estimate for each contract, sending
     * nothing. The addresses are those the contracts get if the deployer sends nothing else first.
     */
    public static ProtocolDeployment plan(ChainConnection connection, String deployer, ProtocolConfig config,
            String treasury, Optional<String> existingToken) {
        existingToken.ifPresent(token -> requireSixDecimalToken(connection, token));
        BigInteger nonce = pendingNonce(connection, deployer);
        List<ProtocolDeployment.Step> steps = new ArrayList<>();
        String token = existingToken.orElseGet(() -> planned(connection, deployer, nonce, tokenCreation(), steps));
        String matchmakers = planned(connection, deployer, nonce, matchmakersCreation(config), steps);
        String registry = planned(connection, deployer, nonce, registryCreation(config, token, treasury), steps);
        String certificates = planned(connection, deployer, nonce, certificatesCreation(), steps);
        String orders = planned(connection, deployer, nonce, ordersCreation(config, token, registry, matchmakers), steps);
        steps.add(new ProtocolDeployment.Step("ProviderRegistry.setSlasher", registry, Map.of("slasher", orders),
                SET_SLASHER_GAS, ""));
        return new ProtocolDeployment(new ProtocolAddresses(token, registry, orders, matchmakers, certificates), steps);
    }

    /** Mints payment tokens to {@code to}: the local faucet. Only the token's owner can. */
    public static void mint(ChainConnection connection, Credentials owner, String to, BigInteger amount) {
        TransactionSender sender = connection.sender(owner);
        PaymentToken token = PaymentToken.load(connection.addresses().token(), connection.web3j(), sender.manager(),
                connection.gasProvider());
        sender.send("mint(" + to + ")", token.mint(to, amount));
    }

    private static Creation tokenCreation() {
        return new Creation("PaymentToken", PaymentToken.class, PaymentToken.BINARY,
                List.of(new Utf8String(TEST_TOKEN_NAME), new Utf8String(TEST_TOKEN_SYMBOL)),
                params("name", TEST_TOKEN_NAME, "symbol", TEST_TOKEN_SYMBOL, "decimals", TOKEN_DECIMALS));
    }

    private static Creation matchmakersCreation(ProtocolConfig config) {
        return new Creation("MatchmakerSet", MatchmakerSet.class, MatchmakerSet.BINARY,
                List.of(new DynamicArray<>(Address.class, config.matchmakers().stream().map(Address::new).toList()),
                        new Uint256(config.threshold()), new Uint64(config.operatorChangeDelaySeconds())),
                params("operators", String.join(",", config.matchmakers()), "threshold", config.threshold(),
                        "changeDelaySeconds", config.operatorChangeDelaySeconds()));
    }

    private static Creation registryCreation(ProtocolConfig config, String token, String treasury) {
        return new Creation("ProviderRegistry", ProviderRegistry.class, ProviderRegistry.BINARY,
                List.of(new Address(token), new Uint256(config.minStake()), new Uint64(config.unstakeCooldownBlocks()),
                        new Uint64(config.heartbeatEpochBlocks()), new Address(treasury)),
                params("token", token, "minStake", config.minStake(), "unstakeCooldownBlocks", config.unstakeCooldownBlocks(),
                        "heartbeatEpochBlocks", config.heartbeatEpochBlocks(), "treasury", treasury));
    }

    private static Creation certificatesCreation() {
        return new Creation("CertificateRegistry", CertificateRegistry.class, CertificateRegistry.BINARY, List.of(), Map.of());
    }

    private static Creation ordersCreation(ProtocolConfig config, String token, String registry, String matchmakers) {
        return new Creation("DeploymentOrder", DeploymentOrder.class, DeploymentOrder.BINARY,
                List.of(new Address(token), new Address(registry), new Address(matchmakers),
                        new Uint64(config.bidWindowBlocks()), new Uint64(config.matchWindowBlocks()),
                        new Uint64(config.confirmWindowSeconds()), new Uint256(config.missedDeploymentSlash())),
                params("token", token, "registry", registry, "matchmakers", matchmakers,
                        "bidWindowBlocks", config.bidWindowBlocks(), "matchWindowBlocks", config.matchWindowBlocks(),
                        "confirmWindowSeconds", config.confirmWindowSeconds(),
                        "missedDeploymentSlash", config.missedDeploymentSlash()));
    }

    private static String create(TransactionSender sender, Creation creation, Consumer<ProtocolDeployment.Step> record) {
        ChainConnection c = sender.connection();
        Contract contract;
        try {
            contract = Contract.deployRemoteCall(creation.type(), c.web3j(), sender.manager(), c.gasProvider(),
                    creation.binary(), FunctionEncoder.encodeConstructor(creation.arguments())).send();
        } catch (ChainException e) {
            throw e;
        } catch (Exception e) {
            throw new ChainException("deploying " + creation.name() + " failed: " + e.getMessage(), e);
        }
        TransactionReceipt receipt = contract.getTransactionReceipt().orElseThrow(() ->
                new ChainException("deploying " + creation.name() + " returned no receipt"));
        record.accept(new ProtocolDeployment.Step(creation.name(), contract.getContractAddress(), creation.parameters(),
                receipt.getGasUsed(), receipt.getTransactionHash()));
        return contract.getContractAddress();
    }

    private static String planned(ChainConnection connection, String deployer, BigInteger firstNonce, Creation creation,
            List<ProtocolDeployment.Step> steps) {
        String address = Numeric.toHexString(ContractUtils.generateContractAddress(Numeric.hexStringToByteArray(deployer),
                firstNonce.add(BigInteger.valueOf(steps.size()))));
        BigInteger gas = estimate(connection, deployer, creation);
        steps.add(new ProtocolDeployment.Step(creation.name(), address, creation.parameters(), gas, ""));
        return address;
    }

    private static BigInteger estimate(ChainConnection connection, String deployer, Creation creation) {
        EthEstimateGas estimate;
        try {
            estimate = connection.web3j().ethEstimateGas(
                    Transaction.createContractTransaction(deployer, null, null, creation.data())).send();
        } catch (IOException e) {
            throw new ChainException("cannot estimate the gas of " + creation.name() + ": " + e.getMessage(), e);
        }
        if (estimate.hasError()) {
            Response.Error error = estimate.getError();
            if (error.getData() != null) {
                throw RevertDecoder.instance().decode("deploying " + creation.name(),
                        String.valueOf(error.getData()).replace("\"", ""));
            }
            throw new ChainException("the node refuses to estimate " + creation.name() + ": " + error.getMessage());
        }
        return estimate.getAmountUsed();
    }

    private static BigInteger pendingNonce(ChainConnection connection, String account) {
        try {
            return connection.web3j().ethGetTransactionCount(account, DefaultBlockParameterName.PENDING).send()
                    .getTransactionCount();
        } catch (IOException e) {
            throw new ChainException("cannot read the nonce of " + account + ": " + e.getMessage(), e);
        }
    }

    /** The protocol's tools write every amount with six decimals; a token with others would be misread by all. */
    private static void requireSixDecimalToken(ChainConnection connection, String token) {
        if (!ProtocolVerifier.hasCode(connection, token)) {
            throw new ChainException("there is no contract at the token address " + token + " on chain " + connection.chainId());
        }
        PaymentToken erc20 = PaymentToken.load(token, connection.web3j(), connection.readOnly(), connection.gasProvider());
        BigInteger decimals = ProtocolReader.call("decimals of the token at " + token, erc20.decimals());
        if (decimals.intValue() != TOKEN_DECIMALS) {
            throw new ChainException("the token at " + token + " has " + decimals + " decimals; the protocol's tools "
                    + "write amounts with " + TOKEN_DECIMALS + " (as USDC and USDT have)");
        }
    }

    private static Map<String, String> params(Object... keysAndValues) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            out.put((String) keysAndValues[i], String.valueOf(keysAndValues[i + 1]));
        }
        return out;
    }
}
