package org.openspheron.operator.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.util.Locale;
import java.util.Optional;
import org.openspheron.chain.ChainConnection;
import org.openspheron.chain.ProtocolReader;
import org.openspheron.chain.index.IndexOptions;
import org.openspheron.chain.rpc.RpcListener;
import org.openspheron.chain.rpc.RpcMeters;
import org.openspheron.chain.rpc.RpcOptions;
import org.openspheron.chain.rpc.RpcTransport;
import org.openspheron.chain.rpc.RpcUrls;

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
    private final RpcListener meters;
    private ChainConnection connection;
    private ProtocolReader reader;

    @Inject
    public ProtocolChain(ChainSettings chain, ProtocolSettings protocol, MeterRegistry meters) {
        this(chain, protocol, new RpcMeters(meters));
    }

    /** Without metrics (tests). */
    public ProtocolChain(ChainSettings chain, ProtocolSettings protocol) {
        this(chain, protocol, RpcListener.NONE);
    }

    private ProtocolChain(ChainSettings chain, ProtocolSettings protocol, RpcListener meters) {
        this.chain = chain;
        this.protocol = protocol;
        this.meters = meters;
    }

    /**
     * How the RPC endpoints are called, from {@code spheron.chain.rpc-url} (a comma-separated list to fail over
     * along), {@code spheron.chain.requests-per-second}, {@code rpc-retry-for} and
     * {@code rpc-return-to-first-after}. Throws {@link SettingsException} naming the key when one cannot work.
     */
    public static RpcOptions rpcOptions(ChainSettings chain, RpcListener listener) {
        try {
            RpcTransport.parseUrls(chain.rpcUrl());
        } catch (IllegalArgumentException e) {
            throw new SettingsException("spheron.chain.rpc-url: " + e.getMessage());
        }
        try {
            return RpcOptions.fromSettings(chain.requestsPerSecond(), chain.rpcRetryFor(), chain.rpcReturnToFirstAfter(),
                    listener);
        } catch (IllegalArgumentException e) {
            throw new SettingsException(e.getMessage());
        }
    }

    /** {@code spheron.chain.index.*}, checked at start so a bad value names its key instead of failing later. */
    public static IndexOptions indexOptions(ChainSettings chain) {
        ChainSettings.Index index = chain.index();
        try {
            return new IndexOptions(index.resyncEveryBlocks(), index.maxLogRange(), index.reorgDepth(),
                    index.resyncBatchSize());
        } catch (IllegalArgumentException e) {
            throw new SettingsException("spheron.chain.index: " + e.getMessage());
        }
    }

    /** {@code spheron.chain.ws-url}, when set: a ws:// or wss:// URL, checked at start. */
    public static Optional<String> wsUrl(ChainSettings chain) {
        Optional<String> url = chain.wsUrl().map(String::trim).filter(u -> !u.isEmpty());
        url.ifPresent(u -> {
            String lower = u.toLowerCase(Locale.ROOT);
            if (!lower.startsWith("ws://") && !lower.startsWith("wss://")) {
                throw new SettingsException("spheron.chain.ws-url must be a ws:// or wss:// URL, not " + RpcUrls.shown(u));
            }
        });
        return url;
    }

    /**
     * The connection, made now if there is none yet. Throws {@link SettingsException} when the protocol's addresses
     * or the RPC settings are not usable and {@link org.openspheron.chain.ChainException} when the RPC endpoint does not answer.
     */
    public synchronized ChainConnection connection() {
        if (connection == null) {
            connection = ChainConnection.connect(chain.rpcUrl(), protocol.addresses(), rpcOptions(chain, meters));
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
