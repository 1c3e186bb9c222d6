package org.openspheron.operator.protocol;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * One of the provider's recurring duties (bidding, mirroring leases, heartbeats, withdrawals) that must outlive
 * an RPC endpoint or API server going away: a failure is logged once when it starts (and again only when the
 * error changes), the duty retries with exponential backoff up to a ceiling, and its recovery is logged.
 * All duties share one scheduler thread, so they never run concurrently with each other.
 */
public final class RecurringDuty {
    private static final Logger LOG = Logger.getLogger(RecurringDuty.class);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);

    private final String name;
    private final Duration interval;
    private final Duration maxBackoff;
    private final ScheduledExecutorService scheduler;
    private final Runnable body;
    private volatile int failures;
    /** A wake is queued and has not started yet: further wakes until it starts add nothing. */
    private final AtomicBoolean woken = new AtomicBoolean();
    private String lastError;

    public RecurringDuty(String name, Duration interval, Duration maxBackoff, ScheduledExecutorService scheduler, Runnable body) {
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException(name + ": the interval must be positive, not " + interval);
        }
        this.name = name;
        this.interval = interval;
        this.maxBackoff = maxBackoff;
        this.scheduler = scheduler;
        this.body = body;
    }

    /** Runs now, then every interval (or sooner while retrying). */
    public void start() {
        scheduler.execute(this::runAndReschedule);
    }

    /**
     * Runs once more as soon as the scheduler is free, without disturbing the schedule. Wakes that arrive before
     * that run starts are one run (a burst of events, or an informer's first listing, is not a pass per event); a
     * wake during the run queues one more.
     */
    public void wake() {
        if (!scheduler.isShutdown() && woken.compareAndSet(false, true)) {
            scheduler.execute(() -> {
                woken.set(false);
                attempt();
            });
        }
    }

    /** Consecutive failures so far (0 while healthy). */
    public int failures() {
        return failures;
    }

    private void runAndReschedule() {
        boolean ok = attempt();
        if (!scheduler.isShutdown()) {
            Duration delay = ok ? interval : backoff();
            scheduler.schedule(this::runAndReschedule, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private boolean attempt() {
        try {
            body.run();
            if (failures > 0) {
                LOG.infof("%s works again after %d failed attempt(s)", name, failures);
            }
            failures = 0;
            lastError = null;
            return true;
        } catch (RuntimeException e) {
            failures++;
            String error = e.getClass().getSimpleName() + ": " + e.getMessage();
            if (!Objects.equals(error, lastError)) {
                LOG.warnf("%s failed, retrying with backoff (up to every %s): %s", name, maxBackoff, error);
                LOG.debug(name + " failure", e);
            } else {
                LOG.debugf("%s failed again (%d): %s", name, failures, error);
            }
            lastError = error;
            return false;
        }
    }

    Duration backoff() {
        long factor = 1L << Math.min(failures - 1, 20);
        Duration base = FIRST_RETRY.compareTo(interval) < 0 ? FIRST_RETRY : interval;
        Duration next = base.multipliedBy(factor);
        return next.compareTo(maxBackoff) > 0 ? maxBackoff : next;
    }
}
