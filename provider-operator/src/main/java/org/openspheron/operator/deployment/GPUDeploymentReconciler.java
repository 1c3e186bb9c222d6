package org.openspheron.operator.deployment;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.openspheron.operator.app.OperatorConfig;
import org.openspheron.operator.app.OperatorConfig.ExposedServiceType;
import org.openspheron.operator.config.IpPool;
import org.openspheron.operator.crd.Condition;
import org.openspheron.operator.crd.EventRecorder;
import org.openspheron.operator.crd.ObjectLabels;
import org.openspheron.operator.inventory.ClusterInventory;
import org.openspheron.operator.inventory.GpuModels;
import org.openspheron.operator.inventory.PodTolerations;
import org.openspheron.operator.lease.PodSecurityLevel;

/**
 * Runs a GPUDeployment: each service becomes a workload, its Services and, for {@code accept} hosts, an Ingress
 * ({@link WorkloadObjects}), applied idempotently ({@link OwnedObjects}); the status is then read back from what
 * the cluster shows ({@link WorkloadObservation}). Informers on the owned kinds and on pods (selected by the operator's label, mapped
 * back by the deployment label) make any change to them, such as a pod that fails to pull its image, trigger a
 * reconcile. Deleting the GPUDeployment removes its objects through their owner references.
 */
@Singleton
@ControllerConfiguration(name = GPUDeploymentReconciler.NAME, fieldManager = ObjectLabels.FIELD_MANAGER)
public class GPUDeploymentReconciler implements Reconciler<GPUDeployment> {
    public static final String NAME = "gpudeployment";
    private static final Duration RECHECK_MISSING_GPU = Duration.ofMinutes(5);
    private static final Duration RECHECK_SHORT_STATEFUL_SET = Duration.ofSeconds(15);
    private static final Duration RECHECK_LEASED_IP = Duration.ofSeconds(15);
    private static final List<Class<? extends HasMetadata>> OWNED_KINDS =
            List.of(Deployment.class, StatefulSet.class, Service.class, Ingress.class, Pod.class);

    private final ExposedServiceType exposedType;
    private final PodSettings pods;
    private final IngressSettings ingressSettings;
    private volatile LeasedIpMode ipMode = LeasedIpMode.METALLB;
    private volatile LeasedIpAllocator addresses = new LeasedIpAllocator(IpPool.EMPTY);
    private final Optional<String> publicHost;
    private final Duration retryGrace;
    private final ClusterInventory inventory;
    private final NodeChangeEventSource nodeChanges;
    private final Map<Class<? extends HasMetadata>, InformerEventSource<? extends HasMetadata, GPUDeployment>> informers =
            new ConcurrentHashMap<>();
    private final OwnedObjects owned = new OwnedObjects(informers);
    private volatile Consumer<GPUDeployment> afterFirstObject = d -> { };

    @Inject
    public GPUDeploymentReconciler(OperatorConfig config, ClusterInventory inventory, PodTolerations tolerations,
            IpPool ipPool) {
        this(config.serviceType(), config.podSecurity(), config.publicHost(), config.containerRetryGrace(), inventory,
                tolerations, config.runtimeClass(), new IngressSettings(config.ingressClass(), config.ingressClusterIssuer()));
        this.ipMode = config.ipMode();
        this.addresses = new LeasedIpAllocator(ipPool);
    }

    /** The addresses leased IP endpoints get ({@code spheron.operator.ip-pool}); none unless set. */
    public GPUDeploymentReconciler ipPool(IpPool pool) {
        this.addresses = new LeasedIpAllocator(pool);
        return this;
    }

    /** How leased IP Services are made ({@code spheron.operator.ip-mode}); {@link LeasedIpMode#METALLB} unless set. */
    public GPUDeploymentReconciler ipMode(LeasedIpMode mode) {
        this.ipMode = mode;
        return this;
    }

    /**
     * @param inventory where nodes are read from (its informer cache), shared with the rest of the operator
     * @param gpuRuntimeClass the RuntimeClass of GPU pods; empty for none (see {@link PodSettings})
     * @param ingressSettings the IngressClass and certificate issuer of the Ingresses for {@code accept} hosts
     */
    public GPUDeploymentReconciler(ExposedServiceType exposedType, PodSecurityLevel podSecurity, Optional<String> publicHost,
            Duration retryGrace, ClusterInventory inventory, PodTolerations tolerations, Optional<String> gpuRuntimeClass,
            IngressSettings ingressSettings) {
        this.ingressSettings = ingressSettings;
        this.retryGrace = retryGrace;
        this.inventory = inventory;
        this.nodeChanges = new NodeChangeEventSource(inventory);
        this.exposedType = exposedType;
        this.pods = new PodSettings(podSecurity == PodSecurityLevel.restricted, tolerations, gpuRuntimeClass);
        this.publicHost = publicHost;
    }

    /**
     * Runs {@code hook} after the first object of each reconcile is applied; a throwing hook stands for a crash
     * between steps. For tests of convergence only.
     */
    public void afterFirstObjectApplied(Consumer<GPUDeployment> hook) {
        this.afterFirstObject = hook == null ? d -> { } : hook;
    }

    @Override
    public List<EventSource<?, GPUDeployment>> prepareEventSources(EventSourceContext<GPUDeployment> context) {
        List<EventSource<?, GPUDeployment>> sources = new ArrayList<>();
        for (Class<? extends HasMetadata> kind : OWNED_KINDS) {
            InformerEventSource<? extends HasMetadata, GPUDeployment> informer = informer(kind, context);
            informers.put(kind, informer);
            sources.add(informer);
        }
        sources.add(nodeChanges);
        return sources;
    }

    private static <R extends HasMetadata> InformerEventSource<R, GPUDeployment> informer(Class<R> kind,
            EventSourceContext<GPUDeployment> context) {
        var config = InformerEventSourceConfiguration.from(kind, GPUDeployment.class)
                .withName("gpudeployment-" + kind.getSimpleName().toLowerCase())
                .withNamespacesInheritedFromController()
                .withLabelSelector(ObjectLabels.MANAGED_SELECTOR + "," + ObjectLabels.DEPLOYMENT)
                .withSecondaryToPrimaryMapper((R object) -> Set.of(new ResourceID(
                        object.getMetadata().getLabels().get(ObjectLabels.DEPLOYMENT), object.getMetadata().getNamespace())))
                .build();
        return new InformerEventSource<>(config, context);
    }

    @Override
    public UpdateControl<GPUDeployment> reconcile(GPUDeployment deployment, Context<GPUDeployment> context) {
        var namespace = context.getClient().namespaces().withName(deployment.getMetadata().getNamespace()).get();
        if (namespace == null || namespace.getMetadata().getDeletionTimestamp() != null) {
            // A closing lease: its namespace is going, and this deployment with it. Creating would only fail.
            return UpdateControl.noUpdate();
        }
        if (LeasedIpAllocator.needsAddresses(deployment)) {
            return assignAddresses(deployment, context);
        }
        List<Node> nodes = inventory.nodes();
        Map<String, String> missingModels = new LinkedHashMap<>();
        Map<String, SortedSet<String>> placements = new LinkedHashMap<>();
        List<HasMetadata> desired = new ArrayList<>();
        for (WorkloadService service : deployment.getSpec().getServices()) {
            SortedSet<String> products = GpuPlacement.choose(service, existingWorkload(deployment, service, context),
                    products(service, nodes));
            if (products == null) {
                missingModels.put(service.getName(), service.getResources().getGpuModel());
                continue;
            }
            placements.put(service.getName(), products);
            desired.addAll(WorkloadObjects.desired(deployment, service, products, exposedType, pods, ingressSettings, ipMode).all());
        }
        refuseTakenHosts(deployment, desired);
        refuseTakenAddresses(deployment, desired);
        boolean first = true;
        for (HasMetadata object : desired) {
            owned.apply(deployment, object, context);
            if (first) {
                first = false;
                afterFirstObject.accept(deployment);
            }
        }
        if (missingModels.isEmpty()) {
            // Objects of a service whose model vanished stay: its pods keep running where they were placed.
            owned.deleteAllBut(deployment, Deployment.class, desired, context);
            owned.deleteAllBut(deployment, StatefulSet.class, desired, context);
            owned.deleteAllBut(deployment, Service.class, desired, context);
            owned.deleteAllBut(deployment, Ingress.class, desired, context);
        }
        Set<StatefulSet> statefulSets = context.getSecondaryResources(StatefulSet.class);
        var observation = new WorkloadObservation(context.getSecondaryResources(Deployment.class), statefulSets,
                context.getSecondaryResources(Service.class), context.getSecondaryResources(Pod.class), nodes, publicHost,
                createFailures(statefulSets, context)).retryGrace(retryGrace, Instant.now())
                .ingresses(context.getSecondaryResources(Ingress.class));
        GPUDeploymentStatus status = observation.status(deployment, deployment.getStatus(), missingModels);
        for (GPUDeploymentStatus.ServiceStatus service : status.getServices()) {
            SortedSet<String> products = placements.get(service.getName());
            if (products != null && !products.isEmpty()) {
                service.setGpuProducts(List.copyOf(products));
                service.setPlacementGeneration(deployment.getMetadata().getGeneration());
            }
        }
        writeStatus(deployment, status, context);
        UpdateControl<GPUDeployment> control = UpdateControl.noUpdate();
        // A node that starts offering the missing model wakes this deployment; the slow re-check is a safety net.
        // Events are not watched: a StatefulSet short of replicas is looked at again for why.
        nodeChanges.waiting(ResourceID.fromResource(deployment), !missingModels.isEmpty());
        if (!missingModels.isEmpty()) {
            return control.rescheduleAfter(RECHECK_MISSING_GPU);
        }
        if (observation.recheckAfter().isPresent()) {
            return control.rescheduleAfter(observation.recheckAfter().get().plusSeconds(1));
        }
        return statefulSets.stream().anyMatch(GPUDeploymentReconciler::shortOfReplicas)
                ? control.rescheduleAfter(RECHECK_SHORT_STATEFUL_SET) : control;
    }

    /**
     * Refuses a host that an Ingress of another namespace already names, unless this deployment's own Ingress has it
     * already (the older claim keeps it; nothing flaps). The gateway refuses such manifests first; this catches two
     * acceptances in the same instant on two gateways, and a GPUDeployment applied by hand. Reads the informer's
     * cache, which holds the operator's Ingresses of every watched namespace.
     */
    @SuppressWarnings("unchecked")
    private void refuseTakenHosts(GPUDeployment deployment, List<HasMetadata> desired) {
        var cache = (InformerEventSource<Ingress, GPUDeployment>) informers.get(Ingress.class);
        String namespace = deployment.getMetadata().getNamespace();
        for (HasMetadata object : desired) {
            if (!(object instanceof Ingress ingress)) {
                continue;
            }
            Set<String> held = cache.get(ResourceID.fromResource(ingress)).map(i -> Set.copyOf(WorkloadObjects.ruleHosts(i))).orElse(Set.of());
            for (String host : WorkloadObjects.ruleHosts(ingress)) {
                boolean taken = !held.contains(host) && cache.list()
                        .anyMatch(other -> !namespace.equals(other.getMetadata().getNamespace()) && WorkloadObjects.ruleHosts(other).contains(host));
                if (taken) {
                    throw new HostTakenException(host);
                }
            }
        }
    }

    /**
     * Gives the deployment's leased IP endpoints their addresses ({@link LeasedIpAllocator}) and writes them into its
     * spec, whose change brings the next reconcile; with too few free, the deployment waits (Pending,
     * {@code AwaitingLeasedIp}) and looks again, since an address frees when another lease ends.
     */
    @SuppressWarnings("unchecked")
    private UpdateControl<GPUDeployment> assignAddresses(GPUDeployment deployment, Context<GPUDeployment> context) {
        var services = (InformerEventSource<Service, GPUDeployment>) informers.get(Service.class);
        Optional<List<LeasedIp>> assigned = addresses.assign(deployment, context.getPrimaryCache().list(), services.list());
        if (assigned.isPresent()) {
            Map<String, Object> patch = Map.of("spec", Map.of("ipEndpoints", assigned.get()));
            context.getClient().resources(GPUDeployment.class).inNamespace(deployment.getMetadata().getNamespace())
                    .withName(deployment.getMetadata().getName())
                    .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(patch));
            return UpdateControl.noUpdate();
        }
        GPUDeploymentStatus status = deployment.getStatus() == null ? new GPUDeploymentStatus() : Serialization.clone(deployment.getStatus());
        String message = "waiting for a leased IP address: the " + addresses.pool().size() + " addresses of"
                + " spheron.operator.ip-pool are all held; one frees when another lease ends";
        status.setPhase(GPUDeploymentStatus.Phase.Pending);
        status.setLastError(message);
        Condition.set(status.getConditions(), WorkloadObservation.READY, false, "AwaitingLeasedIp", message,
                deployment.getMetadata().getGeneration());
        writeStatus(deployment, status, context);
        return UpdateControl.<GPUDeployment>noUpdate().rescheduleAfter(RECHECK_LEASED_IP);
    }

    /**
     * Refuses a leased address that a Service of another namespace already holds: the holder keeps it. The allocator
     * never gives a held address, so only a GPUDeployment applied by hand with its own addresses meets this. Reads
     * the informer's cache of the operator's Services.
     */
    @SuppressWarnings("unchecked")
    private void refuseTakenAddresses(GPUDeployment deployment, List<HasMetadata> desired) {
        var cache = (InformerEventSource<Service, GPUDeployment>) informers.get(Service.class);
        String namespace = deployment.getMetadata().getNamespace();
        for (HasMetadata object : desired) {
            String address = object instanceof Service ? WorkloadObjects.leasedAddress(object) : null;
            if (address == null) {
                continue;
            }
            boolean taken = cache.list().anyMatch(other -> !namespace.equals(other.getMetadata().getNamespace())
                    && address.equals(WorkloadObjects.leasedAddress(other)));
            if (taken) {
                throw new LeasedIpException("IpTaken", "leased address " + address + " is held by another lease's Service");
            }
        }
    }

    /**
     * The latest FailedCreate event of each StatefulSet short of replicas, by name. Kubernetes 1.20's StatefulSets
     * have no status conditions: a pod or claim the quota refuses shows only as such an event.
     */
    private static Map<String, String> createFailures(Set<StatefulSet> statefulSets, Context<GPUDeployment> context) {
        Map<String, String> failures = new LinkedHashMap<>();
        for (StatefulSet set : statefulSets) {
            if (!shortOfReplicas(set)) {
                continue;
            }
            context.getClient().v1().events().inNamespace(set.getMetadata().getNamespace())
                    .withFields(Map.of("involvedObject.kind", "StatefulSet", "involvedObject.name", set.getMetadata().getName(),
                            "reason", "FailedCreate"))
                    .list().getItems().stream()
                    .filter(e -> set.getMetadata().getUid().equals(e.getInvolvedObject().getUid()))
                    .max(Comparator.comparing(GPUDeploymentReconciler::eventTime))
                    .ifPresent(e -> failures.put(set.getMetadata().getName(), e.getMessage()));
        }
        return failures;
    }

    private static boolean shortOfReplicas(StatefulSet set) {
        int wanted = set.getSpec().getReplicas() == null ? 1 : set.getSpec().getReplicas();
        Integer ready = set.getStatus() == null ? null : set.getStatus().getReadyReplicas();
        return (ready == null ? 0 : ready) < wanted;
    }

    private static String eventTime(Event event) {
        return Optional.ofNullable(event.getLastTimestamp()).orElse(event.getMetadata().getCreationTimestamp());
    }

    /**
     * Applies the status (server-side apply on the status subresource, with the operator's field manager) when it
     * changed, and caches the result, so the next reconcile sees its own write. The apply carries the
     * resourceVersion read: a status computed from a stale view is refused (409) and applied again once the cache
     * holds the newer object. Nothing is written when the status is unchanged: a second pass leaves the
     * resourceVersion alone. What changed is then told as Events ({@link WorkloadEvents}).
     */
    static void writeStatus(GPUDeployment deployment, GPUDeploymentStatus status, Context<GPUDeployment> context) {
        if (Serialization.asJson(status).equals(Serialization.asJson(deployment.getStatus()))) {
            return;
        }
        GPUDeployment patch = new GPUDeployment();
        patch.getMetadata().setName(deployment.getMetadata().getName());
        patch.getMetadata().setNamespace(deployment.getMetadata().getNamespace());
        patch.setSpec(null);
        patch.setStatus(status);
        PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(deployment, patch, context);
        EventRecorder.record(context.getClient(), deployment, WorkloadEvents.between(deployment.getStatus(), status));
    }

    /** The Deployment or StatefulSet of {@code service} this deployment owns, as the informer last saw it. */
    private static HasMetadata existingWorkload(GPUDeployment deployment, WorkloadService service, Context<GPUDeployment> context) {
        List<HasMetadata> workloads = new ArrayList<>(context.getSecondaryResources(Deployment.class));
        workloads.addAll(context.getSecondaryResources(StatefulSet.class));
        return workloads.stream()
                .filter(w -> service.getName().equals(w.getMetadata().getName()) && OwnedObjects.ownedBy(w, deployment))
                .findFirst().orElse(null);
    }

    /**
     * The product labels of the nodes that sell whole GPUs of the service's model (any model when it names none),
     * or null when no node does.
     */
    private static SortedSet<String> products(WorkloadService service, List<Node> nodes) {
        ServiceResources resources = service.getResources();
        if (resources.getGpuCount() == 0) {
            return new TreeSet<>();
        }
        SortedSet<String> products = new TreeSet<>(GpuModels.productLabels(resources.getGpuModel(), nodes));
        return products.isEmpty() ? null : products;
    }

    @Override
    public ErrorStatusUpdateControl<GPUDeployment> updateErrorStatus(GPUDeployment deployment, Context<GPUDeployment> context,
            Exception e) {
        GPUDeploymentStatus status = deployment.getStatus() == null ? new GPUDeploymentStatus() : Serialization.clone(deployment.getStatus());
        boolean nameTaken = e instanceof NameTakenException;
        boolean hostTaken = e instanceof HostTakenException;
        LeasedIpException ipRefused = e instanceof LeasedIpException ip ? ip : null;
        status.setLastError(e.getMessage());
        if (nameTaken || hostTaken || ipRefused != null) {
            status.setPhase(GPUDeploymentStatus.Phase.Failed);
        }
        Condition.set(status.getConditions(), WorkloadObservation.READY, false,
                nameTaken ? "NameTaken" : hostTaken ? "HostTaken" : ipRefused != null ? ipRefused.reason() : "ReconcileError",
                e.getMessage(), deployment.getMetadata().getGeneration());
        writeStatus(deployment, status, context);
        return ErrorStatusUpdateControl.noStatusUpdate();
    }
}
