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
 *
 * <p>A pass that fails for another reason (a bug, a contract the decoder cannot read, a class a native image lacks)
 * is logged with its stack trace, then again every {@link #FAILURE_REPEAT} while every pass fails the same way, so a
 * stuck matchmaker is never silent; the loop goes on, whatever the pass threw, until {@link #close()}.
 */
public final class ReconcileLoop implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ReconcileLoop.class);
    /** How often a failure that repeats on every pass is logged again. */
    static final Duration FAILURE_REPEAT = Duration.ofMinutes(1);

    /** One reconcile pass if there may be work; {@code woken}: asked for, not just a poll. */
    @FunctionalInterface
    interface Pass {
        void run(boolean woken);
    }

    private final Pass pass;
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
    private volatile long failedPasses;
    private Instant failureLogged;

    public ReconcileLoop(MatchReconciler reconciler, String endpoint, Duration pollInterval, Duration maxBackoff,
                         Clock clock) {
        this(reconciler::reconcileIfNeeded, endpoint, pollInterval, maxBackoff, clock);
    }

    ReconcileLoop(Pass pass, String endpoint, Duration pollInterval, Duration maxBackoff, Clock clock) {
        this.pass = pass;
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

    /** Passes that failed in a row (0 after a pass that worked). */
    public long failedPasses() {
        return failedPasses;
    }

    private void run() {
        Duration backoff = pollInterval;
        boolean woken = true;
        while (running) {
            Duration wait = pollInterval;
            try {
                pass.run(woken);
                lastPass = clock.instant();
                if (failedPasses > 0) {
                    LOG.infof("reconcile pass works again after %d failed passes", failedPasses);
                }
                lastError = null;
                failedPasses = 0;
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
                    failed(e);
                }
            } catch (RuntimeException e) {
                failed(e);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Error e) {
                // A LinkageError or an ExceptionInInitializerError (a class or a reflective member a native image
                // lacks) must not end the thread: uncaught, it would stop matching with nothing in the log.
                failed(e);
            }
            try {
                // A failed pass is tried again at the next poll even on the same block.
                woken = wakeups.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS) || !reachable || failedPasses > 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void failed(Throwable e) {
        failedPasses++;
        String message = e.getClass().getSimpleName() + ": " + e.getMessage();
        Instant now = clock.instant();
        if (!message.equals(lastError)) {
            LOG.errorf(e, "reconcile pass failed: %s", message);
            failureLogged = now;
        } else if (Duration.between(failureLogged, now).compareTo(FAILURE_REPEAT) >= 0) {
            LOG.errorf("reconcile pass still failing (%d passes in a row): %s", failedPasses, message);
            failureLogged = now;
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
