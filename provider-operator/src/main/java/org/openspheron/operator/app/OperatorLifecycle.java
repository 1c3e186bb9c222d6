package org.openspheron.operator.app;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.openspheron.operator.crd.ObjectLabels;
import org.openspheron.operator.deployment.GPUDeploymentReconciler;
import org.openspheron.operator.lease.SpheronLeaseReconciler;

/**
 * Starts java-operator-sdk inside Quarkus without the Quarkus operator SDK extension: one {@link Operator} on the
 * Quarkus-configured {@link KubernetesClient} (so {@code quarkus.kubernetes-client.*} points it at a cluster),
 * with both reconcilers registered, stopped before the client closes on shutdown.
 *
 * <p>Owned objects and status are written with server-side apply under one field manager
 * ({@link ObjectLabels#FIELD_MANAGER}), and compared by the fields that manager owns, so what the API server
 * defaults, allocates or canonicalises is never "changed back" and a steady state writes nothing.
 */
@ApplicationScoped
public class OperatorLifecycle {
    private static final Logger LOG = Logger.getLogger(OperatorLifecycle.class);
    /** Alert on this above 0: something (a finalizer, an unavailable API) keeps a lease's namespace from going. */
    public static final String STUCK_NAMESPACES_GAUGE = "spheron.operator.namespaces.stuck.terminating";

    @Inject
    KubernetesClient client;
    @Inject
    OperatorConfig config;
    @Inject
    SpheronLeaseReconciler leases;
    @Inject
    GPUDeploymentReconciler deployments;
    @Inject
    MeterRegistry meters;

    private Operator operator;

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            LOG.info("spheron.operator.enabled=false: SpheronLease and GPUDeployment are not reconciled");
            return;
        }
        operator = newOperator(client, config.reconcileThreads());
        Gauge.builder(STUCK_NAMESPACES_GAUGE, leases, SpheronLeaseReconciler::stuckNamespaces)
                .description("lease namespaces Terminating longer than spheron.operator.namespace-stuck-after")
                .register(meters);
        ReconcileRetry retry = ReconcileRetry.of(config);
        operator.register(leases, retry::applyTo);
        operator.register(deployments, o -> {
            retry.applyTo(o);
            config.namespaces().ifPresent(o::settingNamespaces);
        });
        operator.start();
        LOG.infof("operator started against %s; GPUDeployments watched in %s", client.getMasterUrl(),
                config.namespaces().map(Object::toString).orElse("all namespaces"));
    }

    /** An operator on {@code client} configured as this application runs it, with no reconcilers yet. */
    public static Operator newOperator(KubernetesClient client, int reconcileThreads) {
        return newOperator(client, reconcileThreads, Metrics.NOOP);
    }

    /** The same, reporting reconciles to {@code metrics}. */
    public static Operator newOperator(KubernetesClient client, int reconcileThreads, Metrics metrics) {
        return new Operator(o -> o.withKubernetesClient(client)
                .withMetrics(metrics)
                .withCloseClientOnStop(false)
                .withConcurrentReconciliationThreads(reconcileThreads)
                .withSSABasedCreateUpdateMatchForDependentResources(true)
                .withUseSSAToPatchPrimaryResource(true)
                .checkingCRDAndValidateLocalModel(false));
    }

    void onStop(@Observes ShutdownEvent event) {
        if (operator != null) {
            operator.stop();
            operator = null;
        }
    }

    /** Whether the reconcilers run; false when disabled by configuration. */
    public boolean isRunning() {
        return operator != null;
    }
}
