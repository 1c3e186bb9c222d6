package org.openspheron.matchmaker.reconcile;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.openspheron.chain.ChainException;
import org.openspheron.matchmaker.chain.ChainSession;

/**
 * Runs {@link MatchReconciler} on its own thread: a pass on start, then {@code eth_blockNumber} every poll interval
 * and a pass on each new block, while a match still collects signatures, or at once when {@link #wake()} is called
 * (a peer's signature arrived, an admin asked).
 * While the chain cannot be reached it backs off exponentially, logs the outage once and its end once, and reports
 * itself not ready.
 */
public final class ReconcileLoop implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ReconcileLoop.class);

    private final MatchReconciler reconciler;
    private final String endpoint;
    private final Duration pollInterval;
    private final Duration maxBackoff;
    private final Clock clock;
    private final Semaphore wakeups = new Semaphore(0);
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean reachable;
    private volatile Instant lastPass;
    private volatile Instant outageSince;
    private volatile String lastError;

    public ReconcileLoop(MatchReconciler reconciler, String endpoint, Duration pollInterval, Duration maxBackoff,
                         Clock clock) {
        this.reconciler = reconciler;
        this.endpoint = endpoint;
        this.pollInterval = pollInterval;
        this.maxBackoff = maxBackoff;
        this.clock = clock;
        this.thread = new Thread(this::run, "matchmaker-reconciler");
        this.thread.setDaemon(true);
    }

    public ReconcileLoop start() {
        thread.start();
        return this;
    }

    /** Asks for a pass now instead of at the next poll. */
    public void wake() {
        if (wakeups.availablePermits() == 0) {
            wakeups.release();
        }
    }

    /** Whether the last pass reached the chain. */
    public boolean reachable() {
        return reachable;
    }

    /** Reachable, and the chain was checked recently: what was seen is at most a few polls behind it. */
    public boolean synced() {
        Instant last = lastPass;
        Duration tolerance = pollInterval.multipliedBy(5).compareTo(Duration.ofSeconds(10)) > 0
                ? pollInterval.multipliedBy(5) : Duration.ofSeconds(10);
        return reachable && last != null && Duration.between(last, clock.instant()).compareTo(tolerance) <= 0;
    }

    public String lastError() {
        return lastError;
    }

    private void run() {
        Duration backoff = pollInterval;
        boolean woken = true;
        while (running) {
            Duration wait = pollInterval;
            try {
                reconciler.reconcileIfNeeded(woken);
                lastPass = clock.instant();
                lastError = null;
                if (!reachable && outageSince != null) {
                    LOG.infof("chain at %s reachable again after %ds; matching resumed", endpoint,
                            Duration.between(outageSince, clock.instant()).toSeconds());
                }
                reachable = true;
                outageSince = null;
                backoff = pollInterval;
            } catch (ChainException e) {
                if (ChainSession.isUnreachable(e)) {
                    reachable = false;
                    lastError = e.getMessage();
                    if (outageSince == null) {
                        outageSince = clock.instant();
                        LOG.warnf("chain at %s unreachable (%s); matching paused, retrying with backoff up to %s",
                                endpoint, e.getMessage(), maxBackoff);
                    }
                    backoff = min(backoff.multipliedBy(2), maxBackoff);
                    wait = backoff;
                } else {
                    logOnce(e);
                }
            } catch (RuntimeException e) {
                logOnce(e);
            }
            try {
                woken = wakeups.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS) || !reachable;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void logOnce(RuntimeException e) {
        String message = e.getClass().getSimpleName() + ": " + e.getMessage();
        if (!message.equals(lastError)) {
            LOG.errorf(e, "reconcile pass failed: %s", message);
        }
        lastError = message;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
