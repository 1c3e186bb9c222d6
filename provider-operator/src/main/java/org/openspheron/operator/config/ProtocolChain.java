package org.openspheron.operator.config;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import org.openspheron.chain.ChainConnection;
import org.openspheron.chain.ProtocolReader;

/**
 * The operator's one connection to the chain, shared by the protocol side (bids, leases, registration) and the
 * gateway, so that the process holds one web3j and one set of RPC threads whatever is enabled. It connects on
 * first use from {@code spheron.chain.*} and {@code spheron.protocol.*}; a failed attempt leaves nothing behind,
 * so a caller that retries (the protocol side does, with backoff) connects once the endpoint answers.
 */
@ApplicationScoped
public class ProtocolChain {
    private final ChainSettings chain;
    private final ProtocolSettings protocol;
    private ChainConnection connection;
    private ProtocolReader reader;

    public ProtocolChain(ChainSettings chain, ProtocolSettings protocol) {
        this.chain = chain;
        this.protocol = protocol;
    }

    /**
     * The connection, made now if there is none yet. Throws {@link SettingsException} when the protocol's addresses
     * are not configured and {@link org.openspheron.chain.ChainException} when the RPC endpoint does not answer.
     */
    public synchronized ChainConnection connection() {
        if (connection == null) {
            connection = ChainConnection.connect(chain.rpcUrl(), protocol.addresses());
            reader = new ProtocolReader(connection);
        }
        return connection;
    }

    /** The reader on {@link #connection()}. */
    public synchronized ProtocolReader reader() {
        connection();
        return reader;
    }

    /** After the gateway and the protocol side have stopped using it. */
    public synchronized void close(@Observes @Priority(Interceptor.Priority.LIBRARY_AFTER) ShutdownEvent event) {
        if (connection != null) {
            connection.close();
            connection = null;
            reader = null;
        }
    }
}
