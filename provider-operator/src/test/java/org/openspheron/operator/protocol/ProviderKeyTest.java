package org.openspheron.operator.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openspheron.chain.LocalChain;
import org.openspheron.operator.config.ProviderKey;
import org.openspheron.operator.config.SettingsException;

class ProviderKeyTest {
    private static final String KEY = org.web3j.utils.Numeric.toHexStringNoPrefixZeroPadded(LocalChain.devAccount(4).getEcKeyPair().getPrivateKey(), 64);

    @Test
    void theKeyIsReadFromAMountedSecretFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("key"), "0x" + KEY + "\n");

        assertThat(ProviderKey.load(Optional.empty(), Optional.of(file)).getAddress())
                .isEqualTo(LocalChain.devAccount(4).getAddress());
    }

    @Test
    void aMissingOrMalformedKeyStopsTheStartWithoutEchoingIt() {
        assertThatThrownBy(() -> ProviderKey.load(Optional.empty(), Optional.empty()))
                .isInstanceOf(SettingsException.class).hasMessageContaining("spheron.provider.key-file");
        assertThatThrownBy(() -> ProviderKey.load(Optional.of("secret-not-hex"), Optional.empty()))
                .isInstanceOf(SettingsException.class).hasMessageNotContaining("secret-not-hex");
        assertThatThrownBy(() -> ProviderKey.load(Optional.of(KEY), Optional.of(Path.of("key"))))
                .hasMessageContaining("only one");
    }
}
