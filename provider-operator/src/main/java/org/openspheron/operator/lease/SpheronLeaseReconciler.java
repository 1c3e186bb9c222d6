package org.openspheron.operator.lease;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceUtils;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Workflow;
import io.javaoperatorsdk.operator.processing.dependent.workflow.WorkflowBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;
import org.openspheron.operator.app.OperatorConfig;
import org.openspheron.operator.crd.Condition;
import org.openspheron.operator.crd.EventRecorder;
import org.openspheron.operator.crd.ObjectLabels;
import org.openspheron.operator.deployment.GPUDeployment;
import org.openspheron.operator.inventory.ClusterInventory;
import org.openspheron.operator.deployment.GPUDeploymentStatus;
import org.openspheron.operator.lease.SpheronLeaseSpec.ChainState;
import org.openspheron.operator.lease.SpheronLeaseStatus.Phase;

/**
 * Gives an active lease its namespace, quota and network policies (JOSDK dependents, in that order) and reports
 * how far its workload got; removes the namespace when the chain says the lease closed or failed, or when the
 * provider deletes an object marked to give the lease up (see {@link #cleanup}). The workload
 * itself (the lease's GPUDeployment, created by the manifest gateway) is reconciled by the GPUDeployment
 * reconciler; this one only watches it for the phase.
 *
 * <p>A {@link Singleton}, not a normal-scoped bean: JOSDK reads the reconciler's class for its configuration and
 * generic type, which a client proxy would hide.
 */
@Singleton
@ControllerConfiguration(name = SpheronLeaseReconciler.NAME, fieldManager = ObjectLabels.FIELD_MANAGER)
public class SpheronLeaseReconciler implements Reconciler<SpheronLease>, Cleaner<SpheronLease> {
    public static final String NAME = "spheronlease";
    /** Conditions this reconciler sets. */
    public static final String NAMESPACE_READY = "NamespaceReady";
    public static final String WORKLOAD_READY = "WorkloadReady";
    /** True while the lease's namespace has been Terminating longer than the configured bound. */
    public static final String NAMESPACE_STUCK = "NamespaceStuckTerminating";
    /** The reason of NamespaceReady while reconciles fail (and are retried). */
    public static final String RECONCILE_ERROR = "ReconcileError";
    private static final Logger LOG = Logger.getLogger(SpheronLeaseReconciler.class);

    private final Workflow<SpheronLease> workflow;
    private final LeaseChainSide chainSide;
    private final LeaseUpkeep upkeep;
    private final LeaseEgress egress;
    private final Optional<ClusterInventory> nodes;
    /** Lease namespaces Terminating longer than {@link LeaseUpkeep#namespaceStuckAfter()}, by lease object name. */
    private final Set<String> stuck = ConcurrentHashMap.newKeySet();

    @Inject
    public SpheronLeaseReconciler(OperatorConfig config, LeaseChainSide chainSide, ClusterInventory inventory) {
        this(config.podSecurity(), chainSide, new LeaseUpkeep(config.namespaceStuckAfter(), config.closedLeaseRetention()),
                new LeaseEgress(config.dnsResolvers(), config.dnsPodLabels(), config.blockedEgress(), inventory::nodes),
                Optional.of(inventory));
    }

    public SpheronLeaseReconciler(PodSecurityLevel podSecurity, LeaseChainSide chainSide) {
        this(podSecurity, chainSide, LeaseUpkeep.DEFAULT, LeaseEgress.defaults(), Optional.empty());
    }

    /**
     * @param nodes where node changes come from, so that a node joining or leaving updates every lease's egress
     *        block at once; empty: only at the next reconcile
     */
    public SpheronLeaseReconciler(PodSecurityLevel podSecurity, LeaseChainSide chainSide, LeaseUpkeep upkeep, LeaseEgress egress,
            Optional<ClusterInventory> nodes) {
        this.chainSide = chainSide;
        this.upkeep = upkeep;
        this.egress = egress;
        this.nodes = nodes;
        var namespace = new LeaseNamespaceDependent(podSecurity);
        this.workflow = new WorkflowBuilder<SpheronLease>()
                .addDependentResource(namespace)
                .addDependentResourceAndConfigure(new LeaseQuotaDependent()).dependsOn(namespace)
                .addDependentResourceAndConfigure(new LeaseNetworkPolicies.DefaultDeny()).dependsOn(namespace)
                .addDependentResourceAndConfigure(new LeaseNetworkPolicies.LeaseTraffic(egress)).dependsOn(namespace)
                .build();
    }

    @Override
    public List<EventSource<?, SpheronLease>> prepareEventSources(EventSourceContext<SpheronLease> context) {
        List<EventSource<?, SpheronLease>> sources = new ArrayList<>(EventSourceUtils.eventSourcesFromWorkflow(context, workflow));
        nodes.ifPresent(inventory -> sources.add(new NodeAddressEventSource(inventory, egress, context.getPrimaryCache())));
        // The lease's workload lives in the lease's namespace, whatever the gateway named it.
        var workloads = InformerEventSourceConfiguration.from(GPUDeployment.class, SpheronLease.class)
                .withName("lease-workloads")
                .withWatchAllNamespaces()
                .withSecondaryToPrimaryMapper(d -> d.getMetadata().getNamespace() != null && d.getMetadata().getNamespace().startsWith("lease-")
                        ? Set.of(new ResourceID(d.getMetadata().getNamespace())) : Set.of())
                .build();
        sources.add(new InformerEventSource<>(workloads, context));
        return sources;
    }

    @Override
    public UpdateControl<SpheronLease> reconcile(SpheronLease lease, Context<SpheronLease> context) {
        SpheronLeaseStatus status = copy(lease.getStatus());
        status.setObservedGeneration(lease.getMetadata().getGeneration());
        status.setNamespace(lease.namespaceName());
        Duration recheck = null;
        if (lease.getSpec().getChainState() == ChainState.Active) {
            workflow.reconcile(lease, context).throwAggregateExceptionIfErrorsPresent();
            Condition.set(status.getConditions(), NAMESPACE_READY, true, "Created",
                    "namespace, quota and network policies are in place", lease.getMetadata().getGeneration());
            observeWorkload(lease, context, status);
        } else {
            NamespaceRemoval removal = NamespaceRemoval.of(context.getClient(), lease.namespaceName());
            boolean gone = removal.gone();
            boolean failed = lease.getSpec().getChainState() == ChainState.Failed;
            Long generation = lease.getMetadata().getGeneration();
            status.setPhase(!gone ? Phase.Closing : failed ? Phase.Failed : Phase.Closed);
            status.setMessage(gone ? "the lease is " + lease.getSpec().getChainState().name().toLowerCase() + " on chain; its namespace is removed"
                    : "the lease is " + lease.getSpec().getChainState().name().toLowerCase() + " on chain; removing its namespace");
            Condition.set(status.getConditions(), NAMESPACE_READY, false, gone ? "Removed" : "Removing", status.getMessage(), generation);
            Condition.set(status.getConditions(), WORKLOAD_READY, false, "LeaseEnded", status.getMessage(), generation);
            Optional<String> stuckReason = removal.stuckReason(upkeep.namespaceStuckAfter(), Instant.now());
            if (stuckReason.isPresent()) {
                stuck.add(lease.getMetadata().getName());
                Condition.set(status.getConditions(), NAMESPACE_STUCK, true, "Terminating", stuckReason.get(), generation);
            } else {
                stuck.remove(lease.getMetadata().getName());
                if (status.getConditions().stream().anyMatch(c -> NAMESPACE_STUCK.equals(c.getType()))) {
                    Condition.set(status.getConditions(), NAMESPACE_STUCK, false, gone ? "Removed" : "Terminating",
                            gone ? "the namespace is gone" : "the namespace is being removed", generation);
                }
            }
            recheck = gone ? null : Duration.ofSeconds(5);
            if (gone) {
                Instant ended = status.getEndedAt() == null ? Instant.now().truncatedTo(ChronoUnit.SECONDS) : Instant.parse(status.getEndedAt());
                status.setEndedAt(ended.toString());
                Duration kept = Duration.between(ended, Instant.now());
                if (kept.compareTo(upkeep.closedLeaseRetention()) >= 0) {
                    writeStatus(lease, status, context);
                    LOG.infof("SpheronLease %s ended %s ago (retention %s): deleting it", lease.getMetadata().getName(),
                            kept.truncatedTo(ChronoUnit.SECONDS), upkeep.closedLeaseRetention());
                    context.getClient().resource(lease).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
                    return UpdateControl.noUpdate();
                }
                recheck = upkeep.closedLeaseRetention().minus(kept);
            }
        }
        writeStatus(lease, status, context);
        UpdateControl<SpheronLease> control = UpdateControl.noUpdate();
        return recheck == null ? control : control.rescheduleAfter(recheck);
    }

    private static void observeWorkload(SpheronLease lease, Context<SpheronLease> context, SpheronLeaseStatus status) {
        Optional<GPUDeployment> workload = context.getSecondaryResources(GPUDeployment.class).stream()
                .filter(d -> lease.namespaceName().equals(d.getMetadata().getNamespace()))
                .min(Comparator.comparing(d -> d.getMetadata().getName()));
        Long generation = lease.getMetadata().getGeneration();
        if (workload.isEmpty()) {
            status.setPhase(Phase.PendingManifest);
            status.setDeployment(null);
            status.setMessage("waiting for the tenant's manifest");
            Condition.set(status.getConditions(), WORKLOAD_READY, false, "PendingManifest", status.getMessage(), generation);
            return;
        }
        GPUDeployment deployment = workload.get();
        status.setDeployment(deployment.getMetadata().getName());
        GPUDeploymentStatus observed = deployment.getStatus();
        GPUDeploymentStatus.Phase phase = observed == null ? null : observed.getPhase();
        if (phase == GPUDeploymentStatus.Phase.Running) {
            status.setPhase(Phase.Running);
            status.setMessage("all services ready" + (observed.getUrl() == null ? "" : " at " + observed.getUrl()));
            Condition.set(status.getConditions(), WORKLOAD_READY, true, "Running", status.getMessage(), generation);
        } else if (phase == GPUDeploymentStatus.Phase.Failed) {
            status.setPhase(Phase.Failed);
            status.setMessage(Optional.ofNullable(observed.getLastError()).orElse("the workload failed"));
            Condition.set(status.getConditions(), WORKLOAD_READY, false, "WorkloadFailed", status.getMessage(), generation);
        } else {
            status.setPhase(Phase.Deploying);
            status.setMessage(observed != null && observed.getLastError() != null ? observed.getLastError() : "services starting");
            Condition.set(status.getConditions(), WORKLOAD_READY, false, "Deploying", status.getMessage(), generation);
        }
    }

    /** Deletes the lease namespace once; true once it is gone. See {@link NamespaceRemoval}. */
    static boolean removeNamespace(KubernetesClient client, String name) {
        return NamespaceRemoval.of(client, name).gone();
    }

    /** How many lease namespaces are Terminating longer than {@link LeaseUpkeep#namespaceStuckAfter()}: a gauge. */
    public int stuckNamespaces() {
        return stuck.size();
    }

    /**
     * Deleting the object is not giving the lease up. While the chain holds the lease and the provider did not mark it
     * ({@link SpheronLease#GIVE_UP}), the namespace and the tenant's workload stay, the finalizer is released and the
     * lease watcher mirrors the object back: a {@code kubectl delete spheronleases --all} or a CRD reinstall costs no
     * tenant a running workload and no provider a paid lease. A marked lease, or one the chain has ended, loses its
     * namespace, and the chain side closes a marked one that is still active.
     */
    @Override
    public DeleteControl cleanup(SpheronLease lease, Context<SpheronLease> context) throws Exception {
        String name = lease.getMetadata().getName();
        if (!lease.giveUpRequested() && lease.getSpec().getChainState() == ChainState.Active && chainSide.activeOnChain(lease)) {
            dropOwnerReference(context.getClient(), lease);
            LOG.warnf("SpheronLease %s deleted without give-up; lease %d stays active on chain, its namespace %s and "
                    + "workload keep running, and the object will be recreated from the chain. To give the lease up: "
                    + "kubectl annotate spheronlease %s %s=true, then delete it", name, lease.getSpec().getLeaseId(),
                    lease.namespaceName(), name, SpheronLease.GIVE_UP);
            return DeleteControl.defaultDelete();
        }
        if (lease.giveUpRequested() && lease.getSpec().getChainState() == ChainState.Active) {
            LOG.infof("SpheronLease %s deleted with %s=true: removing namespace %s and closing lease %d on chain", name,
                    SpheronLease.GIVE_UP, lease.namespaceName(), lease.getSpec().getLeaseId());
        }
        removeNamespace(context.getClient(), lease.namespaceName());
        stuck.remove(name);
        chainSide.leaseRemoved(lease);
        return DeleteControl.defaultDelete();
    }

    /**
     * Operators before this one gave the lease namespace an owner reference to the SpheronLease, and the garbage
     * collector would delete the namespace with the object. Dropped before the finalizer is released. (The quota and
     * policies of such a lease may still be collected; they come back with the object.)
     */
    private static void dropOwnerReference(KubernetesClient client, SpheronLease lease) {
        String uid = lease.getMetadata().getUid();
        var namespace = client.namespaces().withName(lease.namespaceName());
        Namespace existing = namespace.get();
        if (existing != null && existing.getMetadata().getOwnerReferences().stream().anyMatch(r -> uid.equals(r.getUid()))) {
            namespace.edit(n -> {
                n.getMetadata().getOwnerReferences().removeIf(r -> uid.equals(r.getUid()));
                return n;
            });
        }
    }

    @Override
    public ErrorStatusUpdateControl<SpheronLease> updateErrorStatus(SpheronLease lease, Context<SpheronLease> context, Exception e) {
        SpheronLeaseStatus status = copy(lease.getStatus());
        status.setMessage("reconcile failed, retrying: " + e.getMessage());
        Condition.set(status.getConditions(), NAMESPACE_READY, false, RECONCILE_ERROR, status.getMessage(), lease.getMetadata().getGeneration());
        writeStatus(lease, status, context);
        return ErrorStatusUpdateControl.noStatusUpdate();
    }

    /**
     * Applies the status when it changed (server-side apply on the status subresource, refusing a stale view and
     * retrying once the cache is newer) and caches the write (read-your-writes). {@code confirmedOnChain} and
     * {@code chainMessage} belong to the chain side (the lease watcher patches them): left out of the apply, they stay
     * whatever that side wrote.
     */
    private static void writeStatus(SpheronLease lease, SpheronLeaseStatus status, Context<SpheronLease> context) {
        if (Serialization.asJson(status).equals(Serialization.asJson(lease.getStatus()))) {
            return;
        }
        SpheronLeaseStatus ours = Serialization.clone(status);
        ours.setConfirmedOnChain(null);
        ours.setChainMessage(null);
        SpheronLease patch = new SpheronLease();
        patch.getMetadata().setName(lease.getMetadata().getName());
        patch.setSpec(null);
        patch.setStatus(ours);
        PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(lease, patch, context);
        EventRecorder.record(context.getClient(), lease, LeaseEvents.between(lease.getStatus(), status));
    }

    private static SpheronLeaseStatus copy(SpheronLeaseStatus status) {
        return status == null ? new SpheronLeaseStatus() : Serialization.clone(status);
    }
}
