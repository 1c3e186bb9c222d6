package org.openspheron.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openspheron.chain.ChainConnection;
import org.openspheron.chain.LocalChain;
import org.openspheron.chain.ProtocolAddresses;
import org.openspheron.chain.ProtocolConfig;
import org.openspheron.chain.ProtocolDeployer;
import org.openspheron.chain.ProtocolReader;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.utils.Numeric;

/**
 * {@code spheron protocol deploy} and {@code verify} against anvil posing as Base: chain id 8453, a block every
 * two seconds, so transactions wait for blocks as they do on a public chain.
 */
class ProtocolDeployCommandTest {
    private static final long BASE = 8453;

    @TempDir
    static Path dir;

    private static LocalChain chain;
    private static Path keyFile;
    private static String deployer;
    /** A protocol deployed by the library, for the tests that need one already there. */
    private static ProtocolAddresses existing;

    @BeforeAll
    static void startBaseLikeChain() throws Exception {
        chain = LocalChain.builder().chainId(BASE).blockTime(Duration.ofSeconds(2)).build().start();
        Credentials owner = chain.account(0);
        deployer = owner.getAddress();
        keyFile = dir.resolve("deployer.key");
        Files.writeString(keyFile, Numeric.toHexStringWithPrefixZeroPadded(owner.getEcKeyPair().getPrivateKey(), 64));
        try (ChainConnection connection = ChainConnection.connect(chain.rpcUrl())) {
            existing = ProtocolDeployer.deploy(connection, chain.account(9),
                    ProtocolConfig.local(List.of(chain.account(1).getAddress()), 1), chain.account(29).getAddress());
        }
    }

    @AfterAll
    static void stop() {
        if (chain != null) {
            chain.close();
        }
    }

    static Cli.Result spheron(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--home", dir.resolve("home").toString(), "--rpc-url", chain.rpcUrl()));
        return Cli.run(all.toArray(String[]::new));
    }

    static Cli.Result deploy(String... extra) {
        List<String> args = new ArrayList<>(List.of("protocol", "deploy", "--key-file", keyFile.toString(),
                "--treasury", chain.account(29).getAddress(),
                "--matchmaker", chain.account(1).getAddress() + "," + chain.account(2).getAddress(),
                "--matchmaker", chain.account(3).getAddress(),
                "--bid-window", "5", "--match-window", "40", "--confirm-window", "10min", "--slash", "50",
                "--min-stake", "100", "--cooldown", "10", "--heartbeat-epoch", "10", "--operator-change-delay", "1min"));
        args.addAll(List.of(extra));
        return spheron(args.toArray(String[]::new));
    }

    static BigInteger nonce(String account) throws Exception {
        return chain.web3j().ethGetTransactionCount(account, DefaultBlockParameterName.PENDING).send().getTransactionCount();
    }

    @Test
    void deploysEveryContractWithEip1559FeesVerifiesItAndWritesAnAddressesFileTheCliReads() throws Exception {
        Path file = dir.resolve("base.properties");
        Cli.Result r = deploy("--chain-id", "8453", "--out", file.toString());
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        for (String contract : List.of("PaymentToken", "MatchmakerSet", "ProviderRegistry", "CertificateRegistry", "DeploymentOrder")) {
            assertThat(r.out()).containsPattern(contract + " +0x[0-9a-fA-F]{40}  tx 0x[0-9a-f]{64}  gas [0-9,]+");
            assertThat(r.out()).contains("verified     " + contract + " code");
        }
        assertThat(r.out()).contains("ProviderRegistry.setSlasher").contains("verified     ProviderRegistry.slasher")
                .contains("verified     MatchmakerSet.threshold: 2").doesNotContain("MISMATCH");

        ProtocolAddresses addresses = ProtocolAddresses.read(file);
        try (ChainConnection connection = ChainConnection.connect(chain.rpcUrl(), addresses)) {
            ProtocolReader reader = new ProtocolReader(connection);
            assertThat(reader.operators()).hasSize(3);
            assertThat(reader.matchThreshold()).isEqualTo(2);
            assertThat(reader.matchWindowBlocks()).isEqualTo(40);
            String hash = r.out().lines().filter(l -> l.startsWith("DeploymentOrder")).findFirst().orElseThrow()
                    .replaceAll(".*tx (0x[0-9a-f]{64}).*", "$1");
            assertThat(chain.web3j().ethGetTransactionByHash(hash).send().getTransaction().orElseThrow().getType())
                    .as("an EIP-1559 (type 2) transaction").isEqualTo("0x2");
        }
        Cli.Result verify = spheron("protocol", "verify", "--addresses-file", file.toString());
        assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();
    }

    @Test
    void theWrittenAddressesFileServesTheNextCommand() throws Exception {
        Path file = dir.resolve("next.properties");
        assertThat(deploy("--chain-id", "8453", "--out", file.toString()).exitCode()).isZero();
        Cli.Result imported = Cli.run("keys", "import", keyFile.toString(), "--home", dir.resolve("home").toString());
        assertThat(imported.exitCode()).as(imported.err()).isZero();

        Cli.Result account = spheron("account", "--addresses-file", file.toString());
        assertThat(account.exitCode()).as(account.out() + account.err()).isZero();
        assertThat(account.out()).containsIgnoringCase("address      " + deployer).contains("balance      0 sUSD");
    }

    @Test
    void aWrongChainIdIsRefusedBeforeAnythingIsSent() throws Exception {
        BigInteger before = nonce(deployer);
        Path file = dir.resolve("mainnet.properties");
        Cli.Result r = deploy("--chain-id", "1", "--out", file.toString());
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains("is chain 8453, not chain 1 (--chain-id); nothing was sent");
        assertThat(nonce(deployer)).isEqualTo(before);
        assertThat(file).doesNotExist();
    }

    @Test
    void aDryRunEstimatesEveryContractAndSendsNothing() throws Exception {
        BigInteger before = nonce(deployer);
        Path file = dir.resolve("dry.properties");
        Cli.Result r = deploy("--chain-id", "8453", "--out", file.toString(), "--dry-run", "--json");
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        JsonNode json = Output.JSON.readTree(r.out());
        assertThat(json.get("dryRun").asBoolean()).isTrue();
        List<String> names = new ArrayList<>();
        json.get("steps").forEach(s -> {
            names.add(s.get("name").asText());
            assertThat(new BigInteger(s.get("gas").asText())).isPositive();
            assertThat(s.has("transactionHash")).isFalse();
        });
        assertThat(names).containsExactly("PaymentToken", "MatchmakerSet", "ProviderRegistry", "CertificateRegistry",
                "DeploymentOrder", "ProviderRegistry.setSlasher");
        assertThat(json.get("steps").get(4).get("parameters").get("matchWindowBlocks").asText()).isEqualTo("40");
        assertThat(new BigInteger(json.get("estimatedCostWei").asText())).isPositive();
        assertThat(nonce(deployer)).isEqualTo(before);
        assertThat(file).doesNotExist();

        Cli.Result human = deploy("--chain-id", "8453", "--dry-run");
        assertThat(human.out()).contains("dry run      nothing is sent").contains("    treasury = ")
                .containsPattern("total        gas [0-9,]+, about [0-9.]+ ETH at current fees");
    }

    /**
     * Review: an address was checked for 40 hex digits only, so a one-character typo in a copied mixed-case address
     * (claim --to, a treasury, a new owner) sent funds or ownership to an address nobody holds. Mixed case must carry
     * a right EIP-55 checksum; all lower or upper case has none and is taken as written.
     */
    @Test
    void aMixedCaseAddressWithAWrongChecksumIsRefused() {
        String good = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"; // EIP-55's own example
        String typo = "0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed";

        ProtocolDeployCommand.requireAddress("--to", good);
        ProtocolDeployCommand.requireAddress("--to", good.toLowerCase());
        ProtocolDeployCommand.requireAddress("--to", "0x" + good.substring(2).toUpperCase());
        assertThatThrownBy(() -> ProtocolDeployCommand.requireAddress("--to", typo)).isInstanceOf(CliException.class)
                .hasMessageContaining("wrong checksum");
        assertThatThrownBy(() -> ProtocolDeployCommand.requireAddress("--to", "0x1234")).isInstanceOf(CliException.class)
                .hasMessageContaining("is not an address");
    }

    @Test
    void anExistingTokenIsUsedAndNoTokenDeployed() throws Exception {
        Path file = dir.resolve("usdc.properties");
        Cli.Result r = deploy("--chain-id", "8453", "--out", file.toString(), "--token", existing.token());
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).doesNotContain("PaymentToken ").contains("token code: an existing ERC-20");
        assertThat(ProtocolAddresses.read(file).token()).isEqualToIgnoringCase(existing.token());
    }

    @Test
    void verificationFindsAnAddressThatHoldsOtherCode() throws Exception {
        Properties swapped = existing.toProperties();
        swapped.setProperty("certificates", existing.token());
        Path file = dir.resolve("swapped.properties");
        ProtocolAddresses.fromProperties(swapped).write(file);

        Cli.Result r = spheron("protocol", "verify", "--addresses-file", file.toString());
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.out()).contains("MISMATCH     CertificateRegistry code: " + existing.token())
                .contains("verified     DeploymentOrder code");
        assertThat(r.err()).contains("1 of 5 checks failed");

        JsonNode json = Output.JSON.readTree(spheron("protocol", "verify", "--addresses-file", file.toString(), "--json").out());
        assertThat(json.get("verified").asBoolean()).isFalse();
        assertThat(json.get("checks").get(3).get("subject").asText()).isEqualTo("CertificateRegistry code");
        assertThat(json.get("checks").get(3).get("passed").asBoolean()).isFalse();
    }
}
