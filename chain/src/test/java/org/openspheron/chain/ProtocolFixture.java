package org.openspheron.chain;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.time.Duration;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openspheron.contracts.generated.DeploymentOrder;
import org.openspheron.contracts.generated.PaymentToken;
import org.openspheron.contracts.generated.ProviderRegistry;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * A real anvil chain with the protocol deployed, for tests: account 0 owns everything, accounts 1..3 are
 * matchmaker operators (threshold 2 by default), 4..13 providers, 14..19 tenants, 29 the treasury. Tenants and
 * providers are funded with tokens. Close it after use.
 *
 * <p>Registered as a JUnit extension ({@code @RegisterExtension static final ProtocolFixture protocol =
 * ProtocolFixture.start();}) it serves a whole test class: every test starts from the chain as it was before the
 * test (a snapshot reverted after it), and the chain stops after the class.
 */
public final class ProtocolFixture implements AutoCloseable, BeforeEachCallback, AfterEachCallback, AfterAllCallback {
    public static final int FIRST_MATCHMAKER = 1;
    public static final int FIRST_PROVIDER = 4;
    public static final int FIRST_TENANT = 14;
    public static final int TREASURY = 29;
    public static final BigInteger FUNDING = ProtocolConfig.TOKEN.multiply(BigInteger.valueOf(1_000_000));

    private final LocalChain chain;
    private final ChainConnection bare;
    private final ChainConnection connection;
    private final ProtocolConfig config;
    private final ProtocolAddresses addresses;
    private String beforeTest;

    private ProtocolFixture(LocalChain chain, ProtocolConfig config) {
        this.chain = chain;
        this.config = config;
        this.bare = ChainConnection.connect(chain.rpcUrl());
        this.addresses = ProtocolDeployer.deploy(bare, owner(), config, chain.account(TREASURY).getAddress());
        this.connection = bare.using(addresses);
        for (int i = FIRST_PROVIDER; i < TREASURY; i++) {
            ProtocolDeployer.mint(connection, owner(), chain.account(i).getAddress(), FUNDING);
        }
    }

    /** Three matchmakers, threshold two, the local defaults. */
    public static ProtocolFixture start() {
        return start(3, 2);
    }

    public static ProtocolFixture start(int matchmakers, int threshold) {
        LocalChain chain = LocalChain.builder().build().start();
        List<String> operators = new ArrayList<>();
        for (int i = 0; i < matchmakers; i++) {
            operators.add(chain.account(FIRST_MATCHMAKER + i).getAddress());
        }
        return new ProtocolFixture(chain, ProtocolConfig.local(operators, threshold));
    }

    public static ProtocolFixture start(ProtocolConfig config, LocalChain chain) {
        return new ProtocolFixture(chain, config);
    }

    public LocalChain chain() {
        return chain;
    }

    public ChainConnection connection() {
        return connection;
    }

    public ProtocolConfig config() {
        return config;
    }

    public ProtocolAddresses addresses() {
        return addresses;
    }

    public ProtocolReader reader() {
        return new ProtocolReader(connection);
    }

    public Credentials owner() {
        return chain.account(0);
    }

    public Credentials matchmakerKey(int i) {
        return chain.account(FIRST_MATCHMAKER + i);
    }

    public Credentials providerKey(int i) {
        return chain.account(FIRST_PROVIDER + i);
    }

    public Credentials tenantKey(int i) {
        return chain.account(FIRST_TENANT + i);
    }

    public MatchmakerClient matchmaker(int i) {
        return new MatchmakerClient(connection, matchmakerKey(i));
    }

    public ProviderClient provider(int i) {
        return new ProviderClient(connection, providerKey(i));
    }

    public TenantClient tenant(int i) {
        return new TenantClient(connection, tenantKey(i));
    }

    public OperatorSetClient operatorSet() {
        return new OperatorSetClient(connection, owner());
    }

    /** Waits out the operator set's change delay on the chain's clock, then executes change {@code changeId}. */
    public void executeAfterDelay(long changeId) {
        chain.increaseTime(Duration.ofSeconds(config.operatorChangeDelaySeconds()));
        operatorSet().execute(changeId);
    }

    /**
     * Records the chain's state for {@link #revertTo}: a fresh protocol per test without redeploying. Clients
     * keep a local nonce, so tests build new ones (the accessors here always do) after a revert.
     */
    public String snapshot() {
        return chain.snapshot();
    }

    public void revertTo(String snapshotId) {
        chain.revertTo(snapshotId);
    }

    /** A sender for any development account, e.g. a stranger calling a guarded function. */
    public TransactionSender sender(Credentials key) {
        return connection.sender(key);
    }

    /** The order contract's wrapper sending as {@code sender}: for calls the clients never make (unsorted signatures). */
    public DeploymentOrder ordersContract(TransactionSender sender) {
        return DeploymentOrder.load(addresses.orders(), connection.web3j(), sender.manager(), connection.gasProvider());
    }

    /** The registry's wrapper sending as {@code sender}: for calls only the slasher or owner may make. */
    public ProviderRegistry registryContract(TransactionSender sender) {
        return ProviderRegistry.load(addresses.registry(), connection.web3j(), sender.manager(), connection.gasProvider());
    }

    /** The payment token's wrapper sending as {@code sender}: for approvals the clients would make themselves. */
    public PaymentToken tokenContract(TransactionSender sender) {
        return PaymentToken.load(addresses.token(), connection.web3j(), sender.manager(), connection.gasProvider());
    }

    /** Has the payment token refuse every transfer from or to {@code account}, as USDC and USDT can. */
    public void blacklist(String account, boolean on) {
        TransactionSender owner = sender(owner());
        owner.send("setBlacklisted(" + account + ")", tokenContract(owner).setBlacklisted(account, on));
    }

    /** Has the payment token burn {@code basisPoints} / 10,000 of every transfer, as USDT's fee switch would. */
    public void transferFee(int basisPoints) {
        TransactionSender owner = sender(owner());
        owner.send("setFeeBasisPoints", tokenContract(owner).setFeeBasisPoints(BigInteger.valueOf(basisPoints)));
    }

    /**
     * Writes {@code memoryMb} into order {@code orderId}'s stored spec, whatever its size: the state a chain deployed
     * before DeploymentOrder bounded the spec can hold (an attacker's order), which no transaction can create any
     * more. The spec's first storage word packs cpuMilli (bits 0-31), memoryMb (32-95), storageMb (96-159),
     * gpuCount (160-191) and durationSeconds (192-255); the word is found by its content under each candidate
     * mapping slot, so the test does not hard-code where the contract keeps its specs.
     */
    public void forgeOrderMemoryMb(long orderId, BigInteger memoryMb) {
        OrderSpec spec = reader().requireOrder(orderId).spec();
        BigInteger stored = packedResources(BigInteger.valueOf(spec.memoryMb()), spec);
        for (int mapping = 0; mapping < 64; mapping++) {
            byte[] key = new byte[64];
            System.arraycopy(Numeric.toBytesPadded(BigInteger.valueOf(orderId), 32), 0, key, 0, 32);
            System.arraycopy(Numeric.toBytesPadded(BigInteger.valueOf(mapping), 32), 0, key, 32, 32);
            BigInteger slot = Numeric.toBigInt(Hash.sha3(key));
            if (chain.storageAt(addresses.orders(), slot).equals(stored)) {
                chain.setStorageAt(addresses.orders(), slot, packedResources(memoryMb, spec));
                return;
            }
        }
        throw new IllegalStateException("order " + orderId + "'s spec is not stored as a mapping of OrderSpec keeps it");
    }

    private static BigInteger packedResources(BigInteger memoryMb, OrderSpec spec) {
        return BigInteger.valueOf(spec.cpuMilli())
                .or(memoryMb.shiftLeft(32))
                .or(BigInteger.valueOf(spec.storageMb()).shiftLeft(96))
                .or(BigInteger.valueOf(spec.gpuCount()).shiftLeft(160))
                .or(BigInteger.valueOf(spec.durationSeconds()).shiftLeft(192));
    }

    /**
     * Takes an order from creation to an active lease: {@code tenant} orders with {@code deposit}, {@code provider}
     * bids {@code price}, the bid window closes and a quorum of matchmakers matches it. Returns the lease id.
     */
    public long lease(TenantClient tenant, ProviderClient provider, OrderSpec spec, BigInteger deposit, BigInteger price) {
        long orderId = tenant.createOrder(spec, deposit);
        int bid = provider.submitBid(orderId, price);
        closeBidWindow(orderId);
        return matchWithQuorum(orderId, bid, config.threshold());
    }

    /** Registers provider {@code i} in {@code region}/{@code zone} with the given GPUs and the minimum stake. */
    public ProviderClient registeredProvider(int i, String region, String zone, List<GpuOffer> gpus) {
        return registeredProvider(i, region, zone, gpus, config.minStake());
    }

    public ProviderClient registeredProvider(int i, String region, String zone, List<GpuOffer> gpus, BigInteger stake) {
        ProviderClient provider = provider(i);
        provider.register(region, zone, "https://provider-" + i + ".example:8443", gpus, stake);
        return provider;
    }

    /** Mines until the order's bid window has closed. */
    public void closeBidWindow(long orderId) {
        long end = reader().requireOrder(orderId).bidWindowEnd();
        long now = chain.blockNumber().longValueExact();
        if (now <= end) {
            chain.mine(end - now + 1);
        }
    }

    /** Signs the match of {@code bidIndex} with matchmakers 0..signers-1 and submits it from matchmaker 0. */
    public long matchWithQuorum(long orderId, int bidIndex, int signers) {
        ProtocolReader reader = reader();
        String seed = reader.seed(orderId).orElseThrow();
        byte[] digest = reader.matchDigest(orderId, bidIndex, seed);
        List<MatchmakerClient.MatchSignature> signatures = new ArrayList<>();
        for (int i = 0; i < signers; i++) {
            signatures.add(matchmaker(i).sign(digest));
        }
        return matchmaker(0).matchOrder(orderId, bidIndex, signatures);
    }

    /** An order for {@code gpus} GPUs of {@code model} in {@code region}, at most {@code maxPricePerHour}. */
    public static OrderSpec gpuOrder(int gpus, String model, String region, BigInteger maxPricePerHour) {
        return new OrderSpec(4000, 16_384, 100_000, gpus, model, region, "", false, maxPricePerHour, 3600,
                manifestHash("manifest for " + gpus + "x" + model));
    }

    /** A one-GPU order that runs {@code durationSeconds} once confirmed, at most {@code maxPricePerHour}. */
    public static OrderSpec order(BigInteger maxPricePerHour, long durationSeconds) {
        return new OrderSpec(4000, 16_384, 100_000, 1, "H100", "us-east", "", false, maxPricePerHour, durationSeconds,
                manifestHash("manifest running " + durationSeconds + "s"));
    }

    public static String manifestHash(String text) {
        try {
            return Numeric.toHexString(MessageDigest.getInstance("SHA-256").digest(text.getBytes()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static BigInteger tokens(long whole) {
        return ProtocolConfig.TOKEN.multiply(BigInteger.valueOf(whole));
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        beforeTest = snapshot();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        revertTo(beforeTest);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        connection.close();
        bare.close();
        chain.close();
    }
}
