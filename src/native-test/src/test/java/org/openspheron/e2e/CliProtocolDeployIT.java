package org.openspheron.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.ChainConnection;
import org.openspheron.chain.LocalChain;
import org.openspheron.chain.OrderSpec;
import org.openspheron.chain.ProtocolAddresses;
import org.openspheron.chain.ProtocolDeployer;
import org.openspheron.chain.TenantClient;
import org.openspheron.devnet.AppProcess;
import org.web3j.utils.Numeric;

/**
 * The native CLI deploys the protocol to a chain that is not anvil's default (Base's chain id, 1-second blocks) and
 * verifies it, as an operator of a public deployment would: {@code protocol deploy} then {@code protocol verify}.
 * Both compare the chain's code with the compiled runtime code the CLI carries as resources, which a native image
 * holds only when told to; the JVM tests of these commands cannot see that.
 */
class CliProtocolDeployIT {
    @Test
    void theNativeCliDeploysAndVerifiesTheProtocol() throws Exception {
        Path runner = AppProcess.nativeRunner(E2eSystem.ROOT.resolve("cli/target"));
        assumeTrue(runner != null, "no native CLI built (bin/spheron-native build cli): nothing to run");
        Path dir = Files.createTempDirectory("cli-deploy");
        try (LocalChain chain = LocalChain.builder().chainId(8453).blockTime(Duration.ofSeconds(1)).build().start()) {
            Path key = dir.resolve("deployer.key");
            Files.writeString(key, Numeric.toHexStringNoPrefixZeroPadded(chain.account(0).getEcKeyPair().getPrivateKey(), 64));
            Path addresses = dir.resolve("addresses.properties");

            Run deployed = run(runner, dir, "protocol", "deploy", "--rpc-url", chain.rpcUrl(), "--chain-id", "8453",
                    "--key-file", key.toString(), "--treasury", chain.account(29).getAddress(),
                    "--matchmaker", chain.account(1).getAddress() + "," + chain.account(2).getAddress(),
                    "--threshold", "2", "--out", addresses.toString());
            assertThat(deployed.exit()).as(deployed.out() + deployed.err()).isZero();
            for (String contract : List.of("PaymentToken", "MatchmakerSet", "ProviderRegistry", "CertificateRegistry",
                    "DeploymentOrder")) {
                assertThat(deployed.out()).contains("verified     " + contract + " code");
            }
            assertThat(deployed.out()).doesNotContain("MISMATCH");

            Run verified = run(runner, dir, "protocol", "verify", "--rpc-url", chain.rpcUrl(),
                    "--addresses-file", addresses.toString());
            assertThat(verified.exit()).as(verified.out() + verified.err()).isZero();
            assertThat(verified.out()).contains("verified     DeploymentOrder code").doesNotContain("MISMATCH");
            Run asJson = run(runner, dir, "protocol", "verify", "--json", "--rpc-url", chain.rpcUrl(),
                    "--addresses-file", addresses.toString());
            assertThat(asJson.exit()).as(asJson.out() + asJson.err()).isZero();
            var report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(asJson.out());
            assertThat(report.get("verified").asBoolean()).isTrue();
            assertThat(report.get("checks")).isNotEmpty();
            report.get("checks").forEach(check -> assertThat(check.get("passed").asBoolean()).as(check.toString()).isTrue());

            // A contract's refusal is decoded from its ABI, another resource: cancelling someone else's order is
            // refused at estimation with NotTenant, which the CLI explains.
            ProtocolAddresses protocol = ProtocolAddresses.read(addresses);
            long orderId;
            try (ChainConnection connection = ChainConnection.connect(chain.rpcUrl(), protocol)) {
                ProtocolDeployer.mint(connection, chain.account(0), chain.account(5).getAddress(), BigInteger.valueOf(10_000_000));
                orderId = new TenantClient(connection, chain.account(5)).createOrder(new OrderSpec(4000, 16_384, 100_000,
                        1, "H100", "us-east", "", false, BigInteger.valueOf(1_000_000), 3600,
                        "0x" + "ab".repeat(32)), BigInteger.valueOf(5_000_000));
            }
            Run imported = run(runner, dir, "keys", "import", key.toString());
            assertThat(imported.exit()).as(imported.err()).isZero();
            Run refused = run(runner, dir, "cancel", Long.toString(orderId), "--rpc-url", chain.rpcUrl(),
                    "--addresses-file", addresses.toString());
            assertThat(refused.exit()).isNotZero();
            assertThat(refused.err()).as(refused.err()).containsIgnoringCase("belongs to " + chain.account(5).getAddress());
        }
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run run(Path runner, Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(runner.toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--home", dir.resolve("home").toString()));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", args) + " did not finish in 3 minutes: " + Files.readString(err));
        }
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }
}
