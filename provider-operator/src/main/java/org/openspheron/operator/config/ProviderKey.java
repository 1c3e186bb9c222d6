package org.openspheron.operator.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.web3j.crypto.Credentials;
import org.web3j.utils.Numeric;

/** Loads the provider account's key from the configuration, with errors that never echo the key. */
public final class ProviderKey {
    private ProviderKey() {
    }

    public static Credentials load(ProviderSettings settings) {
        return load(settings.key(), settings.keyFile());
    }

    public static Credentials load(Optional<String> key, Optional<Path> keyFile) {
        if (key.isPresent() && keyFile.isPresent()) {
            throw new SettingsException("set only one of spheron.provider.key and spheron.provider.key-file");
        }
        if (keyFile.isPresent()) {
            Path file = keyFile.get();
            try {
                return parse(Files.readString(file).trim(), "the key file " + file);
            } catch (IOException e) {
                throw new SettingsException("spheron.provider.key-file " + file + " cannot be read: " + e.getMessage());
            }
        }
        if (key.isPresent()) {
            return parse(key.get().trim(), "spheron.provider.key");
        }
        throw new SettingsException("the provider needs its account key: set spheron.provider.key-file to a mounted "
                + "Secret holding the hex private key (or spheron.provider.key), or set spheron.provider.enabled=false");
    }

    private static Credentials parse(String hex, String source) {
        String clean = Numeric.cleanHexPrefix(hex);
        if (!clean.matches("[0-9a-fA-F]{64}")) {
            throw new SettingsException(source + " does not hold a private key: expected 32 bytes of hex (64 digits, "
                    + "optionally 0x-prefixed), found " + clean.length() + " characters");
        }
        return Credentials.create(clean);
    }
}
