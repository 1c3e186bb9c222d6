package org.openspheron.operator.config;

import io.smallrye.config.ConfigMapping;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import org.openspheron.chain.ProtocolAddresses;

/**
 * Where the protocol's contracts are: each address, or a properties file as {@link ProtocolAddresses#write}
 * writes it. Addresses set one by one win over the file's.
 */
@ConfigMapping(prefix = "spheron.protocol")
public interface ProtocolSettings {
    Optional<String> token();

    Optional<String> registry();

    Optional<String> orders();

    Optional<String> matchmakers();

    Optional<String> certificates();

    Optional<Path> addressesFile();

    /** The addresses, or a {@link SettingsException} that names what is missing. */
    default ProtocolAddresses addresses() {
        Properties p = new Properties();
        if (addressesFile().isPresent()) {
            Path file = addressesFile().get();
            if (!Files.isReadable(file)) {
                throw new SettingsException("spheron.protocol.addresses-file " + file + " does not exist or cannot be read");
            }
            p.putAll(ProtocolAddresses.read(file).toProperties());
        }
        token().ifPresent(v -> p.setProperty("token", v));
        registry().ifPresent(v -> p.setProperty("registry", v));
        orders().ifPresent(v -> p.setProperty("orders", v));
        matchmakers().ifPresent(v -> p.setProperty("matchmakers", v));
        certificates().ifPresent(v -> p.setProperty("certificates", v));
        try {
            return ProtocolAddresses.fromProperties(p);
        } catch (IllegalArgumentException e) {
            throw new SettingsException("the protocol's contract addresses are incomplete: " + e.getMessage()
                    + " (set spheron.protocol.token, .registry, .orders, .matchmakers and .certificates, or "
                    + "spheron.protocol.addresses-file)");
        }
    }
}
