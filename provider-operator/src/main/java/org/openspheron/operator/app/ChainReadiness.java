package org.openspheron.operator.app;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;
import org.openspheron.chain.rpc.RpcUrls;
import org.openspheron.operator.config.ChainSettings;
import org.openspheron.operator.config.ProtocolChain;
import org.openspheron.operator.config.ProviderSettings;
import org.openspheron.operator.gateway.GatewayConfig;

/**
 * Ready only while the chain answers: every replica's gateway checks leases on chain, and the leader bids and
 * confirms there. The chain is asked in the background ({@code eth_blockNumber} every {@link #INTERVAL}), so a
 * probe never waits on a slow RPC endpoint; the replica counts as connected while the last answer is less than
 * {@link #STALE_AFTER} old. With both the protocol side and the gateway off, the chain is not used and this is up.
 */
@Readiness
@ApplicationScoped
public class ChainReadiness implements HealthCheck {
    static final Duration INTERVAL = Duration.ofSeconds(15);
    static final Duration STALE_AFTER = Duration.ofSeconds(60);
    private static final Logger LOG = Logger.getLogger(ChainReadiness.class);

    private final ProtocolChain chain;
    private final String rpcUrl;
    private final boolean used;
    private final Clock clock;
    private volatile Instant lastAnswer;
    private volatile long head = -1;
    private volatile String lastError;
    private ScheduledExecutorService probe;

    @Inject
    ChainReadiness(ProtocolChain chain, ChainSettings settings, ProviderSettings provider, GatewayConfig gateway) {
        this(chain, settings.rpcUrl(), provider.enabled() || gateway.enabled(), Clock.systemUTC());
    }

    ChainReadiness(ProtocolChain chain, String rpcUrl, boolean used, Clock clock) {
        this.chain = chain;
        this.rpcUrl = RpcUrls.shownList(rpcUrl);
        this.used = used;
        this.clock = clock;
    }

    void onStart(@Observes StartupEvent event) {
        if (!used) {
            return;
        }
        probe = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "spheron-chain-readiness");
            t.setDaemon(true);
            return t;
        });
        probe.scheduleWithFixedDelay(this::ask, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (probe != null) {
            probe.shutdownNow();
        }
    }

    /** Asks the chain for its head once; records the answer or the error. */
    void ask() {
        try {
            head = chain.reader().blockNumber();
            lastAnswer = clock.instant();
            if (lastError != null) {
                LOG.infof("the chain at %s answers again (block %d)", rpcUrl, head);
            }
            lastError = null;
        } catch (RuntimeException e) {
            if (lastError == null) {
                LOG.warnf("the chain at %s does not answer: %s; readiness is down until it does", rpcUrl, e.getMessage());
            }
            lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    @Override
    public HealthCheckResponse call() {
        if (!used) {
            return HealthCheckResponse.named("chain").up().withData("used", false).build();
        }
        Instant answered = lastAnswer;
        boolean connected = answered != null && Duration.between(answered, clock.instant()).compareTo(STALE_AFTER) < 0;
        var response = HealthCheckResponse.named("chain").status(connected).withData("rpcUrl", rpcUrl)
                .withData("head", head);
        if (answered != null) {
            response.withData("lastAnswer", answered.toString());
        }
        if (lastError != null) {
            response.withData("lastError", lastError);
        }
        return response.build();
    }
}
