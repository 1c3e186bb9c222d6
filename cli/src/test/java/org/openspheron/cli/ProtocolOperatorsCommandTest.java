package org.openspheron.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openspheron.chain.ProtocolFixture;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import org.web3j.utils.Numeric;

/** {@code spheron protocol operators} for the operator set's owner, on anvil with the protocol deployed (delay 60 s). */
class ProtocolOperatorsCommandTest {
    @RegisterExtension
    static final ProtocolFixture protocol = ProtocolFixture.start();

    @TempDir
    static Path dir;

    private static Path addresses;

    @BeforeAll
    static void writeAddresses() {
        addresses = dir.resolve("addresses.properties");
        protocol.addresses().write(addresses);
    }

    static Cli.Result spheron(Credentials key, String... args) throws Exception {
        Path keyFile = Files.createTempFile(dir, "key", ".hex");
        Files.writeString(keyFile, Numeric.toHexStringWithPrefixZeroPadded(key.getEcKeyPair().getPrivateKey(), 64));
        List<String> all = new ArrayList<>(List.of("protocol", "operators"));
        all.addAll(List.of(args));
        all.addAll(List.of("--home", dir.resolve("home").toString(), "--rpc-url", protocol.chain().rpcUrl(),
                "--addresses-file", addresses.toString(), "--key-file", keyFile.toString()));
        return Cli.run(all.toArray(String[]::new));
    }

    @Test
    void anAddedOperatorIsPendingUntilTheDelayHasPassedThenExecutingChangesTheSet() throws Exception {
        String newcomer = protocol.chain().account(20).getAddress();
        Cli.Result add = spheron(protocol.owner(), "add", newcomer, "--threshold", "3");
        assertThat(add.exitCode()).as(add.out() + add.err()).isZero();
        assertThat(add.out()).contains("proposed     change 1    add " + Keys.toChecksumAddress(newcomer) + ", threshold 3")
                .contains("executable from");

        Cli.Result list = spheron(protocol.owner(), "list", "--json");
        JsonNode pending = Output.JSON.readTree(list.out()).get("pending");
        assertThat(pending).hasSize(1);
        assertThat(pending.get(0).get("kind").asText()).isEqualTo("ADD_OPERATOR");
        assertThat(pending.get(0).get("due").asBoolean()).isFalse();

        Cli.Result early = spheron(protocol.owner(), "execute", "1");
        assertThat(early.exitCode()).isNotZero();
        assertThat(early.err()).contains("change 1 is not due yet: it can be executed from");

        protocol.chain().increaseTime(Duration.ofSeconds(61));
        assertThat(spheron(protocol.owner(), "list").out()).contains("due now");
        // Anyone may execute a due change: a matchmaker does it here.
        Cli.Result executed = spheron(protocol.matchmakerKey(0), "execute", "1");
        assertThat(executed.exitCode()).as(executed.out() + executed.err()).isZero();
        assertThat(executed.out()).contains("executed     change 1").contains("threshold 3 of 4");
        assertThat(protocol.reader().operators()).map(String::toLowerCase).contains(newcomer.toLowerCase());
        assertThat(protocol.reader().matchThreshold()).isEqualTo(3);
        assertThat(spheron(protocol.owner(), "list").out()).contains("pending      none").contains("threshold    3 of 4");
    }

    @Test
    void ownershipMovesInTwoStepsAndOnlyTheOfferedAccountCanTakeIt() throws Exception {
        Credentials owner = protocol.owner();
        Credentials next = protocol.chain().account(21);
        Credentials stranger = protocol.chain().account(22);

        Cli.Result notOwner = spheron(stranger, "transfer-ownership", stranger.getAddress());
        assertThat(notOwner.exitCode()).isNotZero();
        assertThat(notOwner.err()).contains("is not the owner of the operator set");

        Cli.Result zero = spheron(owner, "transfer-ownership", "0x" + "0".repeat(40));
        assertThat(zero.exitCode()).isNotZero();
        assertThat(zero.err()).contains("the zero address cannot own the operator set; nothing was sent");

        Cli.Result offered = spheron(owner, "transfer-ownership", next.getAddress());
        assertThat(offered.exitCode()).as(offered.out() + offered.err()).isZero();
        assertThat(offered.out()).contains("offered      the operator set to " + Keys.toChecksumAddress(next.getAddress()));
        assertThat(ownerOfTheSet()).as("the owner stays until the offer is accepted").isEqualToIgnoringCase(owner.getAddress());

        Cli.Result taken = spheron(stranger, "accept-ownership");
        assertThat(taken.exitCode()).isNotZero();
        assertThat(taken.err()).contains("is not offered to " + Keys.toChecksumAddress(stranger.getAddress()))
                .contains("it is offered to " + Keys.toChecksumAddress(next.getAddress()));

        Cli.Result accepted = spheron(next, "accept-ownership");
        assertThat(accepted.exitCode()).as(accepted.out() + accepted.err()).isZero();
        assertThat(ownerOfTheSet()).isEqualToIgnoringCase(next.getAddress());
        Cli.Result oldOwner = spheron(owner, "threshold", "3");
        assertThat(oldOwner.exitCode()).isNotZero();
        assertThat(oldOwner.err()).contains("is not the owner of the operator set");

        // Back to the fixture's owner, whom the other tests use.
        assertThat(spheron(next, "transfer-ownership", owner.getAddress()).exitCode()).isZero();
        assertThat(spheron(owner, "accept-ownership").exitCode()).isZero();
        assertThat(ownerOfTheSet()).isEqualToIgnoringCase(owner.getAddress());
    }

    private static String ownerOfTheSet() throws Exception {
        return Output.JSON.readTree(spheron(protocol.owner(), "list", "--json").out()).get("owner").asText();
    }

    @Test
    void aThresholdBelowAMajorityIsRefusedWithTheSmallestOneThatWouldDo() throws Exception {
        Cli.Result add = spheron(protocol.owner(), "add", protocol.chain().account(20).getAddress());
        assertThat(add.exitCode()).isNotZero();
        assertThat(add.err()).contains("threshold 2 is not a strict majority of 4 operators: use at least 3 (--threshold)");

        Cli.Result lower = spheron(protocol.owner(), "threshold", "1");
        assertThat(lower.err()).contains("threshold 1 is not a strict majority of 3 operators: use at least 2");
        assertThat(protocol.operatorSet().pendingChanges()).isEmpty();
    }

    @Test
    void onlyTheOwnerMayPropose() throws Exception {
        Cli.Result r = spheron(protocol.matchmakerKey(0), "threshold", "3");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains(Keys.toChecksumAddress(protocol.matchmakerKey(0).getAddress())
                + " is not the owner of the operator set (the owner is " + Keys.toChecksumAddress(protocol.owner().getAddress()) + ")");
    }

    @Test
    void aCancelledChangeCanNoLongerBeExecuted() throws Exception {
        assertThat(spheron(protocol.owner(), "threshold", "3").exitCode()).isZero();
        Cli.Result cancel = spheron(protocol.owner(), "cancel", "1");
        assertThat(cancel.exitCode()).as(cancel.out() + cancel.err()).isZero();
        protocol.chain().increaseTime(Duration.ofSeconds(61));
        Cli.Result execute = spheron(protocol.owner(), "execute", "1");
        assertThat(execute.err()).contains("change 1 is not pending (it is CANCELLED)");
        assertThat(protocol.reader().matchThreshold()).isEqualTo(2);
    }
}
