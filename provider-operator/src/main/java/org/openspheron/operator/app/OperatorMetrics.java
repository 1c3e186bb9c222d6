package org.openspheron.operator.app;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;

/**
 * java-operator-sdk's reconcile events as Micrometer meters on {@code /q/metrics}, tagged by the kind reconciled
 * ({@code SpheronLease}, {@code GPUDeployment}):
 * <ul>
 *   <li>{@code spheron_operator_reconciles_total{kind,result}}: reconciles that succeeded ({@code success}) or threw
 *       ({@code failure}, retried with backoff);</li>
 *   <li>{@code spheron_operator_reconcile_retries_total{kind}}: reconciles that were retries of a failed one;</li>
 *   <li>{@code spheron_operator_reconcile_seconds{kind}}: how long the reconcilers ran.</li>
 * </ul>
 * A failure count that keeps growing is the first thing to alert on: a lease the cluster refuses to set up.
 */
final class OperatorMetrics implements Metrics {
    static final String RECONCILES = "spheron.operator.reconciles";
    static final String RETRIES = "spheron.operator.reconcile.retries";
    static final String DURATION = "spheron.operator.reconcile";

    private final MeterRegistry registry;

    OperatorMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void reconcileCustomResource(HasMetadata resource, RetryInfo retry, Map<String, Object> metadata) {
        if (retry != null && retry.getAttemptCount() > 0) {
            Counter.builder(RETRIES).description("reconciles that retried a failed one").tag("kind", resource.getKind())
                    .register(registry).increment();
        }
    }

    @Override
    public void finishedReconciliation(HasMetadata resource, Map<String, Object> metadata) {
        count(resource, "success");
    }

    @Override
    public void failedReconciliation(HasMetadata resource, Exception exception, Map<String, Object> metadata) {
        count(resource, "failure");
    }

    @Override
    public <T> T timeControllerExecution(ControllerExecution<T> execution) throws Exception {
        Timer.Sample sample = Timer.start(registry);
        try {
            return execution.execute();
        } finally {
            sample.stop(Timer.builder(DURATION).description("time spent in reconcilers")
                    .tag("controller", execution.controllerName()).tag("operation", execution.name()).register(registry));
        }
    }

    private void count(HasMetadata resource, String result) {
        Counter.builder(RECONCILES).description("reconciles by kind and result").tag("kind", resource.getKind())
                .tag("result", result).register(registry).increment();
    }
}
