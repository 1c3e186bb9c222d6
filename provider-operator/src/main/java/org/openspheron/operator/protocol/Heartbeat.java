package org.openspheron.operator.protocol;

import java.util.Optional;
import org.jboss.logging.Logger;
import org.openspheron.chain.Provider;
import org.openspheron.chain.ProtocolReader;
import org.openspheron.chain.ProviderClient;

/**
 * Sends the registry one heartbeat per epoch: uptime, which matchmakers weigh, is the share of recent epochs
 * with one. It checks the chain's record first, so a restart or a fast check interval never pays for a second
 * heartbeat in the same epoch.
 */
public final class Heartbeat {
    private static final Logger LOG = Logger.getLogger(Heartbeat.class);

    private final ProtocolReader reader;
    private final ProviderClient provider;
    private final long epochBlocks;

    public Heartbeat(ProtocolReader reader, ProviderClient provider, long epochBlocks) {
        if (epochBlocks < 1) {
            throw new IllegalArgumentException("a heartbeat epoch has at least one block, not " + epochBlocks);
        }
        this.reader = reader;
        this.provider = provider;
        this.epochBlocks = epochBlocks;
    }

    /** Sends the heartbeat when this epoch has none yet; true when it sent one. */
    public boolean beatIfDue() {
        Optional<Provider> record = reader.provider(provider.address());
        if (record.isEmpty()) {
            LOG.debugf("%s is not registered; no heartbeat", provider.address());
            return false;
        }
        long last = record.get().lastHeartbeatBlock();
        long epoch = reader.blockNumber() / epochBlocks;
        if (last != 0 && last / epochBlocks >= epoch) {
            return false;
        }
        provider.heartbeat();
        LOG.debugf("heartbeat sent for epoch %d", epoch);
        return true;
    }
}
