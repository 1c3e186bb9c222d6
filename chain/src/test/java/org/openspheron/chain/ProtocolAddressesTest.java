package org.openspheron.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProtocolAddressesTest {
    private static final ProtocolAddresses DEPLOYED = new ProtocolAddresses("0x" + "11".repeat(20), "0x" + "22".repeat(20),
            "0x" + "33".repeat(20), "0x" + "44".repeat(20), "0x" + "55".repeat(20));

    @Test
    void anAddressGivenOnItsOwnOverridesTheFiles(@TempDir Path dir) {
        Path file = dir.resolve("addresses.properties");
        DEPLOYED.write(file);
        String orders = "0x" + "aa".repeat(20);

        ProtocolAddresses resolved = ProtocolAddresses.resolve(Optional.of(file), Optional.empty(), Optional.empty(),
                Optional.of(orders), Optional.empty(), Optional.empty());

        assertThat(resolved).isEqualTo(new ProtocolAddresses(DEPLOYED.token(), DEPLOYED.registry(), orders,
                DEPLOYED.matchmakers(), DEPLOYED.certificates()));
    }

    @Test
    void aMissingFileAndAMissingAddressAreNamed(@TempDir Path dir) {
        Path missing = dir.resolve("nope.properties");
        assertThatThrownBy(() -> ProtocolAddresses.resolve(Optional.of(missing), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(missing.toString());
        assertThatThrownBy(() -> ProtocolAddresses.resolve(Optional.empty(), Optional.of(DEPLOYED.token()),
                Optional.of(DEPLOYED.registry()), Optional.empty(), Optional.of(DEPLOYED.matchmakers()),
                Optional.of(DEPLOYED.certificates())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("orders address");
    }
}
