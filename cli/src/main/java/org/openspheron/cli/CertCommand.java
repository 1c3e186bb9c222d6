package org.openspheron.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.openspheron.chain.CertificateState;
import org.openspheron.chain.identity.ClientIdentity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code spheron cert publish}: binds the client certificate to the account in the on-chain registry. */
@Command(name = "cert", description = "Publish the client certificate's fingerprint on chain.",
        subcommands = {CertCommand.Publish.class})
public class CertCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * Publishes the certificate unless this account already vouches for it. Whether other accounts published the
     * same fingerprint does not matter: the registry answers per account, and only this account's entry counts.
     */
    static boolean ensurePublished(ChainSession chain, ClientIdentity identity, Output output) {
        String fingerprint = identity.fingerprint();
        CertificateState state = chain.reader().certificate(chain.address(), fingerprint);
        if (state == CertificateState.VALID) {
            return false;
        }
        if (state == CertificateState.REVOKED) {
            throw new CliException("certificate " + fingerprint + " was revoked by " + chain.address()
                    + " and cannot be published again; run `spheron keys create --certificate-only`");
        }
        output.progress("publishing client certificate " + fingerprint + " ...");
        chain.tenant().publishCertificate(fingerprint);
        return true;
    }

    @Command(name = "publish", description = "Publish the client certificate's SHA-256 fingerprint in the CertificateRegistry.")
    public static class Publish extends ChainCommand {
        @Override
        public Integer call() {
            Output output = output();
            Home home = common.home();
            ClientIdentity identity = home.identity();
            try (ChainSession chain = openChain()) {
                boolean published = ensurePublished(chain, identity, output);
                output.line(published ? "published certificate " + identity.fingerprint() + " for " + chain.address()
                        : "certificate " + identity.fingerprint() + " is already published for " + chain.address());
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("address", chain.address());
                result.put("fingerprint", identity.fingerprint());
                result.put("published", published);
                output.result(result);
                return 0;
            }
        }
    }
}
