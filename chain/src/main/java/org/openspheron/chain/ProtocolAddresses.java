package org.openspheron.chain;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** Where the protocol's contracts live on one chain. */
public record ProtocolAddresses(String token, String registry, String orders, String matchmakers, String certificates) {
    public ProtocolAddresses {
        requireAddress("token", token);
        requireAddress("registry", registry);
        requireAddress("orders", orders);
        requireAddress("matchmakers", matchmakers);
        requireAddress("certificates", certificates);
    }

    /** Reads the addresses written by {@link #write(Path)} (keys token, registry, orders, matchmakers, certificates). */
    public static ProtocolAddresses read(Path file) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read protocol addresses from " + file, e);
        }
        return fromProperties(p);
    }

    /**
     * The addresses an app is configured with: the file's (if any), overridden one by one by the given addresses.
     * Throws {@link IllegalArgumentException} naming the file that cannot be read or the address that is missing
     * or malformed; each app wraps it in its own configuration error.
     */
    public static ProtocolAddresses resolve(java.util.Optional<Path> file, java.util.Optional<String> token,
            java.util.Optional<String> registry, java.util.Optional<String> orders, java.util.Optional<String> matchmakers,
            java.util.Optional<String> certificates) {
        Properties p = new Properties();
        if (file.isPresent()) {
            if (!Files.isReadable(file.get())) {
                throw new IllegalArgumentException("the addresses file " + file.get() + " does not exist or cannot be read");
            }
            p.putAll(read(file.get()).toProperties());
        }
        token.ifPresent(v -> p.setProperty("token", v));
        registry.ifPresent(v -> p.setProperty("registry", v));
        orders.ifPresent(v -> p.setProperty("orders", v));
        matchmakers.ifPresent(v -> p.setProperty("matchmakers", v));
        certificates.ifPresent(v -> p.setProperty("certificates", v));
        return fromProperties(p);
    }

    public static ProtocolAddresses fromProperties(Properties p) {
        return new ProtocolAddresses(p.getProperty("token"), p.getProperty("registry"), p.getProperty("orders"),
                p.getProperty("matchmakers"), p.getProperty("certificates"));
    }

    public Properties toProperties() {
        Properties p = new Properties();
        p.setProperty("token", token);
        p.setProperty("registry", registry);
        p.setProperty("orders", orders);
        p.setProperty("matchmakers", matchmakers);
        p.setProperty("certificates", certificates);
        return p;
    }

    public void write(Path file) {
        try (Writer out = Files.newBufferedWriter(file)) {
            toProperties().store(out, "Open Spheron protocol contract addresses");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write protocol addresses to " + file, e);
        }
    }

    private static void requireAddress(String name, String value) {
        if (value == null || !value.matches("0x[0-9a-fA-F]{40}")) {
            throw new IllegalArgumentException(name + " address is not a 20-byte hex address: " + value);
        }
    }
}
