package org.openspheron.operator.app;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.jboss.logging.Logger;
import org.openspheron.operator.config.SettingsException;
import org.openspheron.operator.crd.ObjectLabels;
import org.openspheron.operator.deployment.GPUDeploymentReconciler;
import org.openspheron.operator.leadership.LeaseElection;
import org.openspheron.operator.leadership.Leadership;
import org.openspheron.operator.lease.SpheronLeaseReconciler;

/**
 * Starts java-operator-sdk inside Quarkus without the Quarkus operator SDK extension: one {@link Operator} on the
 * Quarkus-configured {@link KubernetesClient} (so {@code quarkus.kubernetes-client.*} points it at a cluster),
 * with both reconcilers registered, stopped before the client closes on shutdown.
 *
 * <p>With leader election on (the default), only the replica holding the Lease reconciles and does the chain duties
 * ({@link Leadership}); see {@link LeaseElection} for what happens when it loses the Lease or stops. With it off,
 * or with the reconcilers off, this process leads alone from the start.
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
    /** Where Kubernetes mounts the pod's ServiceAccount namespace. */
    private static final Path SERVICE_ACCOUNT_NAMESPACE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

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
    @Inject
    Leadership leadership;

    private Operator operator;
    private LeaseElection election;

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            LOG.info("spheron.operator.enabled=false: SpheronLease and GPUDeployment are not reconciled;"
                    + " without leader election this process does the chain duties alone");
            leadership.elected();
            return;
        }
        if (config.leaderElection().enabled()) {
            election = new LeaseElection(electionSettings(config.leaderElection(), client), leadership,
                    () -> Quarkus.asyncExit(1));
        }
        operator = newOperator(client, config.reconcileThreads(), new OperatorMetrics(meters),
                Optional.ofNullable(election).map(LeaseElection::configuration));
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
        LOG.infof("operator started against %s; GPUDeployments watched in %s; %s", client.getMasterUrl(),
                config.namespaces().map(Object::toString).orElse("all namespaces"),
                election == null ? "leader election off: this process leads alone"
                        : "waiting to lead (" + election.settings() + ")");
        if (election == null) {
            leadership.elected();
        }
    }

    /** An operator on {@code client} configured as this application runs it, with no reconcilers yet. */
    public static Operator newOperator(KubernetesClient client, int reconcileThreads) {
        return newOperator(client, reconcileThreads, Metrics.NOOP);
    }

    /** The same, reporting reconciles to {@code metrics}. */
    public static Operator newOperator(KubernetesClient client, int reconcileThreads, Metrics metrics) {
        return newOperator(client, reconcileThreads, metrics, Optional.empty());
    }

    /** The same, reconciling only while it holds the Lease {@code election} names, if any. */
    public static Operator newOperator(KubernetesClient client, int reconcileThreads, Metrics metrics,
            Optional<LeaderElectionConfiguration> election) {
        return new Operator(o -> {
            o.withKubernetesClient(client)
                    .withMetrics(metrics)
                    .withCloseClientOnStop(false)
                    .withConcurrentReconciliationThreads(reconcileThreads)
                    .withSSABasedCreateUpdateMatchForDependentResources(true)
                    .withUseSSAToPatchPrimaryResource(true)
                    .checkingCRDAndValidateLocalModel(false);
            election.ifPresent(o::withLeaderElectionConfiguration);
        });
    }

    void onStop(@Observes ShutdownEvent event) {
        if (election != null) {
            election.stepDown();
        }
        if (operator != null) {
            operator.stop();
            operator = null;
        }
        if (election != null) {
            election.release(client);
            election = null;
        }
    }

    /** Whether the reconcilers run; false when disabled by configuration. */
    public boolean isRunning() {
        return operator != null;
    }

    /** The settings with the pod's namespace and name filled in where they are not set. */
    static LeaseElection.Settings electionSettings(OperatorConfig.LeaderElection settings, KubernetesClient client) {
        String namespace = settings.namespace().filter(s -> !s.isBlank()).or(() -> ownNamespace(client))
                .orElseThrow(() -> new SettingsException("spheron.operator.leader-election.namespace is not set and this"
                        + " process runs in no pod (no POD_NAMESPACE, no ServiceAccount namespace file, no namespace in"
                        + " the Kubernetes client's configuration): set it to the namespace of the Lease"));
        String identity = settings.identity().filter(s -> !s.isBlank()).orElseGet(OperatorLifecycle::ownIdentity);
        return new LeaseElection.Settings(namespace, settings.leaseName(), identity, settings.leaseDuration(),
                settings.renewDeadline(), settings.retryPeriod());
    }

    private static Optional<String> ownNamespace(KubernetesClient client) {
        return Stream.of(System.getenv("POD_NAMESPACE"), serviceAccountNamespace(), client.getNamespace())
                .filter(s -> s != null && !s.isBlank()).map(String::strip).findFirst();
    }

    private static String serviceAccountNamespace() {
        try {
            return Files.isReadable(SERVICE_ACCOUNT_NAMESPACE) ? Files.readString(SERVICE_ACCOUNT_NAMESPACE) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The pod's name; outside a pod the host name and process id, since two replicas with one identity would both
     * count as the Lease's holder.
     */
    private static String ownIdentity() {
        String pod = System.getenv("POD_NAME");
        if (pod != null && !pod.isBlank()) {
            return pod;
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = Optional.ofNullable(System.getenv("HOSTNAME")).orElse("operator");
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}
