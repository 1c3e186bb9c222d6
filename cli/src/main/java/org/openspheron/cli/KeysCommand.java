package org.openspheron.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openspheron.chain.identity.ClientIdentity;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.utils.Numeric;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code spheron keys create|import|show}: the account key and the client certificate bound to it. */
@Command(name = "keys", description = "Create or import the account key and its client certificate.",
        subcommands = {KeysCommand.Create.class, KeysCommand.Import.class, KeysCommand.Show.class})
public class KeysCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static Map<String, Object> describe(Home home, Credentials account, ClientIdentity identity) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("address", Keys.toChecksumAddress(account.getAddress()));
        out.put("home", home.dir().toString());
        out.put("certificateFingerprint", identity.fingerprint());
        out.put("certificateExpires", identity.certificate().getNotAfter().toInstant().toString());
        return out;
    }

    /** Makes {@code keys} the account key kept in {@code home}. */
    static Credentials storeAccount(Home home, ECKeyPair keys) {
        home.writeAccountKey(keys);
        return Credentials.create(keys);
    }

    /** A new client certificate for {@code account}, kept in {@code home}, and the keys printed. */
    static void createIdentity(Output output, Home home, Credentials account) {
        print(output, describe(home, account, home.createIdentity(account.getAddress())));
    }

    static void print(Output output, Map<String, Object> keys) {
        output.line("account      " + keys.get("address"));
        output.line("certificate  " + keys.get("certificateFingerprint") + " (expires " + keys.get("certificateExpires") + ")");
        output.line("stored in    " + keys.get("home"));
        output.result(keys);
    }

    @Command(name = "create", description = "Create a new account key and a client certificate for it.")
    public static class Create extends HomeCommand {
        @Option(names = "--certificate-only", description = "Keep the account key; only make a new client certificate.")
        boolean certificateOnly;

        @Override
        public Integer call() throws Exception {
            Output output = output();
            Home home = common.home();
            Credentials account;
            if (certificateOnly) {
                account = home.credentials();
            } else {
                account = storeAccount(home, Keys.createEcKeyPair());
            }
            createIdentity(output, home, account);
            output.line("next: fund the account, then `spheron cert publish`");
            return 0;
        }
    }

    @Command(name = "import", description = "Use an existing account key (a file holding its hex) and create a client certificate.")
    public static class Import extends HomeCommand {
        @Parameters(paramLabel = "KEYFILE", description = "A file containing the private key as hex.")
        Path keyFile;

        @Override
        public Integer call() {
            Output output = output();
            String hex;
            try {
                hex = Files.readString(keyFile, StandardCharsets.US_ASCII).trim();
            } catch (IOException e) {
                throw new CliException("cannot read " + keyFile + ": " + e.getMessage());
            }
            if (!hex.matches("(0x)?[0-9a-fA-F]{64}")) {
                throw new CliException(keyFile + " does not hold a 32-byte hex private key");
            }
            Home home = common.home();
            ECKeyPair keys = ECKeyPair.create(Numeric.toBigInt(hex));
            createIdentity(output, home, storeAccount(home, keys));
            return 0;
        }
    }

    @Command(name = "show", description = "Print the account address and the client certificate's fingerprint.")
    public static class Show extends HomeCommand {
        @Override
        public Integer call() {
            Home home = common.home();
            print(output(), describe(home, home.credentials(), home.identity()));
            return 0;
        }
    }
}
