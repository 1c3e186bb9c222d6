package org.openspheron.matchmaker.config;

import io.smallrye.config.ConfigMapping;
import java.nio.file.Path;
import java.util.Optional;

/** {@code spheron.protocol.*}: the contract addresses, given one by one or as a file. */
@ConfigMapping(prefix = "spheron.protocol")
public interface ProtocolSettings {
    Optional<String> token();

    Optional<String> registry();

    Optional<String> orders();

    Optional<String> matchmakers();

    Optional<String> certificates();

    /** A properties file as written by ProtocolAddresses.write; individual addresses override it. */
    Optional<Path> addressesFile();
}
