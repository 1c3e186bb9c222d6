package org.openspheron.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.openspheron.chain.ChainConnection;
import org.openspheron.chain.ProtocolAddresses;
import org.openspheron.chain.ProtocolReader;
import org.openspheron.chain.TenantClient;
import org.openspheron.contracts.generated.PaymentToken;
import org.web3j.crypto.Credentials;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;

/** One command's connection to the chain: the reader, the user's tenant client, the token's symbol. */
final class ChainSession implements AutoCloseable {
    private final ChainConnection connection;
    private final ProtocolReader reader;
    private final Home home;
    private TenantClient tenant;
    private String symbol;

    private ChainSession(ChainConnection connection, Home home) {
        this.connection = connection;
        this.reader = new ProtocolReader(connection);
        this.home = home;
    }

    static ChainSession open(ChainOptions options, Home home) {
        ProtocolAddresses addresses = addresses(options, home);
        return new ChainSession(ChainConnection.connect(options.rpcUrl, addresses), home);
    }

    private static ProtocolAddresses addresses(ChainOptions options, Home home) {
        Path file = options.addressesFile != null ? options.addressesFile : home.addressesFile();
        if (!Files.isRegularFile(file)) {
            throw new CliException(options.addressesFile != null
                    ? "no protocol addresses file at " + file
                    : "no protocol addresses: pass --addresses-file FILE or set SPHERON_ADDRESSES (the file the "
                    + "protocol deployer wrote), or put it at " + file);
        }
        try {
            return ProtocolAddresses.read(file);
        } catch (IllegalArgumentException e) {
            throw new CliException(file + " is not a protocol addresses file: " + e.getMessage());
        }
    }

    ProtocolReader reader() {
        return reader;
    }

    /** The lease as the chain holds it, or a clear error for an id the chain does not know. */
    org.openspheron.chain.Lease lease(long leaseId) {
        return reader.lease(leaseId).orElseThrow(() -> new CliException("no lease " + leaseId + " on chain"));
    }

    ChainConnection connection() {
        return connection;
    }

    Credentials credentials() {
        return home.credentials();
    }

    String address() {
        return credentials().getAddress();
    }

    TenantClient tenant() {
        if (tenant == null) {
            tenant = new TenantClient(connection, home.credentials());
        }
        return tenant;
    }

    /** The payment token's symbol for printing amounts; {@code tokens} when the token does not say. */
    String symbol() {
        if (symbol == null) {
            try {
                symbol = PaymentToken.load(connection.addresses().token(), connection.web3j(),
                        new ReadonlyTransactionManager(connection.web3j(), address()), new DefaultGasProvider()).symbol().send();
            } catch (Exception e) {
                symbol = "tokens";
            }
        }
        return symbol;
    }

    String tokens(java.math.BigInteger baseUnits) {
        return TokenAmount.format(baseUnits, symbol());
    }

    @Override
    public void close() {
        connection.close();
    }
}
