package org.openspheron.operator.app;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.openspheron.operator.deployment.GPUDeploymentReconciler;
import org.openspheron.operator.lease.SpheronLeaseReconciler;

/**
 * Starts java-operator-sdk inside Quarkus without the Quarkus operator SDK extension: one {@link Operator} on the
 * Quarkus-configured {@link KubernetesClient} (so {@code quarkus.kubernetes-client.*} points it at a cluster),
 * with both reconcilers registered, stopped before the client closes on shutdown.
 *
 * <p>Writes use update and JSON merge patch, not server-side apply: every API server accepts them, including
 * the stand-in one tests and the devnet use, which does not implement apply patches or managedFields.
 */
@ApplicationScoped
public class OperatorLifecycle {
    private static final Logger LOG = Logger.getLogger(OperatorLifecycle.class);

    @Inject
    KubernetesClient client;
    @Inject
    OperatorConfig config;
    @Inject
    SpheronLeaseReconciler leases;
    @Inject
    GPUDeploymentReconciler deployments;

    private Operator operator;

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            LOG.info("spheron.operator.enabled=false: SpheronLease and GPUDeployment are not reconciled");
            return;
        }
        operator = newOperator(client, config.reconcileThreads());
        operator.register(leases);
        operator.register(deployments, o -> config.namespaces().ifPresent(o::settingNamespaces));
        operator.start();
        LOG.infof("operator started against %s; GPUDeployments watched in %s", client.getMasterUrl(),
                config.namespaces().map(Object::toString).orElse("all namespaces"));
    }

    /** An operator on {@code client} configured as this application runs it, with no reconcilers yet. */
    public static Operator newOperator(KubernetesClient client, int reconcileThreads) {
        return new Operator(o -> o.withKubernetesClient(client)
                .withCloseClientOnStop(false)
                .withConcurrentReconciliationThreads(reconcileThreads)
                .withSSABasedCreateUpdateMatchForDependentResources(false)
                .withUseSSAToPatchPrimaryResource(false)
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
