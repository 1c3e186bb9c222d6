package org.openspheron.operator.app;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import java.time.Duration;

/**
 * How a failed reconcile is retried and how often a quiet object is looked at anyway.
 *
 * <p>JOSDK's default gives up after 5 attempts (about 30 s in all) and then waits for the next event, which for a
 * lease whose namespace is being removed or whose chain RPC is down may never come: the lease would sit Closing or
 * Terminating until someone edits it. Here a failure is retried without limit, the wait doubling from
 * {@code initial} to at most {@code max}, so an outage of any length ends in a reconcile within {@code max} of its
 * end. {@code resync} is JOSDK's maximum reconciliation interval: every object is reconciled at least that often
 * even when no event arrives (a missed watch event, a change the informers do not see).
 */
public record ReconcileRetry(Duration initial, Duration max, Duration resync) {
    /** What the application runs with unless configured otherwise. */
    public static final ReconcileRetry DEFAULT = new ReconcileRetry(Duration.ofSeconds(2), Duration.ofMinutes(5), Duration.ofMinutes(10));

    public ReconcileRetry {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0 || resync.isNegative() || resync.isZero()) {
            throw new IllegalArgumentException("retry intervals must be positive and max (" + max + ") at least initial (" + initial + ")");
        }
    }

    static ReconcileRetry of(OperatorConfig config) {
        return new ReconcileRetry(config.retryInitialInterval(), config.retryMaxInterval(), config.resyncInterval());
    }

    /** The retry JOSDK runs: unlimited attempts, exponential from {@code initial}, capped at {@code max}. */
    public GenericRetry retry() {
        return new GenericRetry().withoutMaxAttempts().setInitialInterval(initial.toMillis()).setIntervalMultiplier(2)
                .setMaxInterval(max.toMillis());
    }

    /** Applies this to a controller's configuration at registration. */
    public <R extends HasMetadata> void applyTo(ControllerConfigurationOverrider<R> overrider) {
        overrider.withRetry(retry()).withReconciliationMaxInterval(resync);
    }
}
