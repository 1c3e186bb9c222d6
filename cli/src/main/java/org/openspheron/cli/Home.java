package org.openspheron.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.openspheron.chain.identity.ClientIdentity;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.utils.Numeric;

/**
 * The user's config directory ({@code ~/.spheron}): the account key as hex in {@code account.key} (owner-only, like
 * an SSH key), the client certificate and its key ({@code client.crt.pem}, {@code client.key.pem}), and optionally
 * the protocol's {@code addresses.properties}.
 */
final class Home {
    static final String IDENTITY = "client";

    private final Path dir;

    Home(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    Path accountKeyFile() {
        return dir.resolve("account.key");
    }

    Path addressesFile() {
        return dir.resolve("addresses.properties");
    }

    boolean hasAccount() {
        return Files.exists(accountKeyFile());
    }

    boolean hasIdentity() {
        return Files.exists(dir.resolve(IDENTITY + ".crt.pem")) && Files.exists(dir.resolve(IDENTITY + ".key.pem"));
    }

    Credentials credentials() {
        if (!hasAccount()) {
            throw new CliException("no account key in " + dir + ": run `spheron keys create` (or `spheron keys import FILE`) first");
        }
        try {
            String hex = Files.readString(accountKeyFile(), StandardCharsets.US_ASCII).trim();
            if (!hex.matches("(0x)?[0-9a-fA-F]{64}")) {
                throw new CliException(accountKeyFile() + " does not hold a 32-byte hex private key");
            }
            return Credentials.create(hex);
        } catch (IOException e) {
            throw new CliException("cannot read " + accountKeyFile() + ": " + e.getMessage());
        }
    }

    ClientIdentity identity() {
        if (!hasIdentity()) {
            throw new CliException("no client certificate in " + dir + ": run `spheron keys create` first");
        }
        return ClientIdentity.readPem(dir, IDENTITY);
    }

    /** Writes the account key, refusing to overwrite one (a lost key is lost money). */
    void writeAccountKey(ECKeyPair keys) {
        try {
            createDir();
            Path file = accountKeyFile();
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(file);
            }
            Files.writeString(file, Numeric.toHexStringWithPrefixZeroPadded(keys.getPrivateKey(), 64) + "\n",
                    StandardCharsets.US_ASCII);
        } catch (FileAlreadyExistsException e) {
            throw new CliException(accountKeyFile() + " already exists; it is not overwritten (move it away first)");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + accountKeyFile(), e);
        }
    }

    /** A new client certificate for {@code address}, valid for a year, replacing any previous one. */
    ClientIdentity createIdentity(String address) {
        ClientIdentity identity = ClientIdentity.create(address, List.of(), Duration.ofDays(365));
        createDir();
        identity.writePem(dir, IDENTITY);
        return identity;
    }

    private void createDir() {
        try {
            if (!Files.isDirectory(dir)) {
                try {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (UnsupportedOperationException notPosix) {
                    Files.createDirectories(dir);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }
}
