package org.openspheron.operator.config;

import io.smallrye.config.ConfigMapping;
import java.nio.file.Path;
import java.util.Optional;
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
        try {
            return ProtocolAddresses.resolve(addressesFile(), token(), registry(), orders(), matchmakers(), certificates());
        } catch (RuntimeException e) {
            throw new SettingsException("the protocol's contract addresses are incomplete: " + e.getMessage()
                    + " (set spheron.protocol.token, .registry, .orders, .matchmakers and .certificates, or "
                    + "spheron.protocol.addresses-file)");
        }
    }
}
