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
