package org.openspheron.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the chain is and where the protocol's contracts are on it. */
public class ChainOptions {
    @Option(names = "--rpc-url", paramLabel = "URL", defaultValue = "${env:SPHERON_RPC_URL:-http://127.0.0.1:8545}",
            description = "The chain's JSON-RPC endpoint, or a comma-separated list to fail over along "
                    + "(default: $SPHERON_RPC_URL, else ${DEFAULT-VALUE}).")
    String rpcUrl;

    @Option(names = "--addresses-file", paramLabel = "FILE", defaultValue = "${env:SPHERON_ADDRESSES}",
            description = "The protocol's contract addresses, as written by the deployer (default: $SPHERON_ADDRESSES, "
                    + "else addresses.properties in the home directory).")
    Path addressesFile;
}
