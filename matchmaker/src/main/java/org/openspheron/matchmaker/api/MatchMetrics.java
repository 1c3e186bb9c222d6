package org.openspheron.matchmaker.api;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import org.openspheron.matchmaker.reconcile.Disagreement;
import org.openspheron.matchmaker.reconcile.MatchEvents;

/** The reconciler's events as Prometheus metrics (spheron_matchmaker_* on /q/metrics). */
final class MatchMetrics implements MatchEvents {
    private final MeterRegistry registry;
    private final Timer windowToLease;

    MatchMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.windowToLease = Timer.builder("spheron.matchmaker.window.to.lease")
                .description("Time from seeing an order's bid window closed to seeing its lease")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        for (String name : new String[] {"orders.seen", "matches.submitted", "matches.observed", "disagreements"}) {
            registry.counter("spheron.matchmaker." + name);
        }
    }

    @Override
    public void orderSeen(long orderId) {
        registry.counter("spheron.matchmaker.orders.seen").increment();
    }

    @Override
    public void matchSubmitted(long orderId) {
        registry.counter("spheron.matchmaker.matches.submitted").increment();
    }

    @Override
    public void matchObserved(long orderId, Duration sinceWindowClosed) {
        registry.counter("spheron.matchmaker.matches.observed").increment();
        if (sinceWindowClosed != null) {
            windowToLease.record(sinceWindowClosed);
        }
    }

    @Override
    public void submissionFailed(long orderId, String reason) {
        registry.counter("spheron.matchmaker.submissions.failed", "reason", reason).increment();
    }

    @Override
    public void disagreement(Disagreement disagreement) {
        registry.counter("spheron.matchmaker.disagreements").increment();
    }
}
