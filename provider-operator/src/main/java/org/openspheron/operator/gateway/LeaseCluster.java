package org.openspheron.operator.gateway;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ContainerResource;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.fabric8.kubernetes.client.dsl.PodResource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.openspheron.chain.Lease;
import org.openspheron.chain.LeaseState;
import org.openspheron.chain.OrderFeatures;
import org.openspheron.operator.config.IpPool;
import org.openspheron.operator.crd.Condition;
import org.openspheron.operator.deployment.GPUDeployment;
import org.openspheron.operator.deployment.GPUDeploymentStatus;
import org.openspheron.operator.deployment.WorkloadService;
import org.openspheron.operator.lease.SpheronLease;
import org.openspheron.operator.lease.SpheronLeaseReconciler;
import org.openspheron.operator.lease.SpheronLeaseSpec;
import org.openspheron.operator.lease.SpheronLeaseStatus;

/**
 * The gateway's side of the cluster: it writes an accepted manifest into the lease's namespace and reads back what
 * the reconcilers made of it. The namespace itself, its quota and network policy belong to the SpheronLease
 * reconciler; the gateway never creates it (a workload must never run in a namespace without its isolation).
 */
final class LeaseCluster implements AutoCloseable {
    static final String MANIFEST_HASH_ANNOTATION = "openspheron.org/manifest-hash";
    static final String LEASE_LABEL = "openspheron.org/lease-id";
    static final String SERVICE_LABEL = "openspheron.org/service";
    static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    static final String MANAGED_BY = "spheron-provider-operator";
    private static final int EVENTS_SHOWN = 20;
    /** Labels a workload reconciler may put on a service's pods; the first present one names the service. */
    private static final List<String> POD_SERVICE_LABELS =
            List.of(SERVICE_LABEL, "app.kubernetes.io/name", "app.kubernetes.io/component", "app");

    private final KubernetesClient client;
    private final Duration namespaceWait;
    private final HostClaims hostClaims;
    private final IpPool ipPool;

    LeaseCluster(KubernetesClient client, Duration namespaceWait) {
        this(client, namespaceWait, IpPool.EMPTY);
    }

    LeaseCluster(KubernetesClient client, Duration namespaceWait, IpPool ipPool) {
        this.client = client;
        this.namespaceWait = namespaceWait;
        this.hostClaims = new HostClaims(client);
        this.ipPool = ipPool;
    }

    /**
     * Refuses a workload with leased IP endpoints when the provider leases no address. Otherwise the reconciler gives
     * each endpoint an address ({@link org.openspheron.operator.deployment.LeasedIpAllocator}); with all of them held
     * the deployment waits for one.
     */
    void refuseLeasedIpsWithoutPool(LeaseWorkload workload) {
        var endpoints = workload.deployment().getSpec().getIpEndpoints();
        if (endpoints != null && !endpoints.isEmpty() && ipPool.size() == 0) {
            throw GatewayError.invalidManifest("endpoints: the manifest asks for "
                    + OrderFeatures.leasedIpsText(endpoints.size()) + ", and this provider leases none", "endpoints");
        }
    }

    /** Refuses a workload whose {@code accept} hosts another lease or the provider already serves ({@link HostClaims}). */
    void refuseTakenHosts(LeaseWorkload workload) {
        hostClaims.refuseTaken(workload);
    }

    @Override
    public void close() {
        hostClaims.close();
    }

    static String namespace(long leaseId) {
        return SpheronLease.nameFor(leaseId);
    }

    /**
     * Waits up to the configured time for the lease's isolation: the SpheronLease reconciler reports
     * {@code NamespaceReady} only once the namespace, its quota and both network policies exist, and a manifest
     * applied before that could run pods no quota bounds and no policy isolates. Waiting also keeps a manifest sent
     * right after the match from failing only because the lease watcher is a few blocks behind.
     */
    boolean awaitNamespace(long leaseId) {
        long deadline = System.nanoTime() + namespaceWait.toNanos();
        while (true) {
            if (isolated(leaseId)) {
                return true;
            }
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            try {
                Thread.sleep(Math.min(250, Math.max(1, namespaceWait.toMillis())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private boolean isolated(long leaseId) {
        SpheronLease lease = client.resources(SpheronLease.class).withName(SpheronLease.nameFor(leaseId)).get();
        boolean ready = lease != null && lease.getStatus() != null && lease.getStatus().getConditions().stream()
                .anyMatch(c -> SpheronLeaseReconciler.NAMESPACE_READY.equals(c.getType()) && Condition.TRUE.equals(c.getStatus()));
        if (!ready) {
            return false;
        }
        var namespace = client.namespaces().withName(namespace(leaseId)).get();
        return namespace != null && namespace.getMetadata().getDeletionTimestamp() == null;
    }

    Optional<GPUDeployment> deployment(long leaseId) {
        return Optional.ofNullable(client.resources(GPUDeployment.class).inNamespace(namespace(leaseId))
                .withName(SpheronLease.nameFor(leaseId)).get());
    }

    /** The canonical hash of the manifest already accepted for the lease, if any. */
    Optional<String> acceptedManifestHash(long leaseId) {
        return deployment(leaseId).map(d -> d.getMetadata().getAnnotations())
                .map(a -> a.get(MANIFEST_HASH_ANNOTATION));
    }

    /**
     * Writes the Secrets first and the GPUDeployment last: the GPUDeployment's existence is what "accepted" means,
     * and its pods must find their Secrets. Secrets are only ever created, never read or rewritten (the operator's
     * role grants {@code create} and {@code delete} on Secrets and nothing else outside its own namespace): a lease's
     * manifest is fixed by the hash its order carries, so a Secret already there under its name (a re-sent manifest,
     * or a write that failed half-way) already holds these values. A missing one is created, which repairs a
     * half-done write. An existing GPUDeployment (same manifest hash, checked by the caller) is left as it is:
     * replacing it would drop what the reconciler added (finalizers, status).
     */
    void apply(LeaseWorkload workload) {
        String namespace = namespace(workload.leaseId());
        for (Secret secret : workload.secrets()) {
            try {
                client.secrets().inNamespace(namespace).resource(secret).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                // already there from an earlier send of this same manifest
            }
        }
        var deployment = client.resources(GPUDeployment.class).inNamespace(namespace).resource(workload.deployment());
        GPUDeployment stored = deployment.get();
        if (stored == null) {
            try {
                stored = deployment.create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                // the same manifest sent twice at once: the other request created it
                stored = deployment.get();
            }
        }
        List<String> dropped = runtimeClassesDropped(workload.deployment(), stored);
        if (!dropped.isEmpty()) {
            // An older CRD prunes the field it does not know: the pods would run outside the TEE the tenant ordered.
            deployment.delete();
            throw GatewayError.of(503, "CrdOutdated", "the cluster's GPUDeployment CRD is older than this operator and "
                    + "dropped the RuntimeClass of service(s) " + String.join(", ", dropped) + ", so the confidential "
                    + "workload was not started; the provider must apply the operator's crds/ (helm does not upgrade them)");
        }
        if (leasedIpsDropped(workload.deployment(), stored)) {
            // The same for leased IPs: the ports would silently go out on node ports instead of the leased address.
            deployment.delete();
            throw GatewayError.of(503, "CrdOutdated", "the cluster's GPUDeployment CRD is older than this operator and "
                    + "dropped the manifest's leased IP endpoints, so the workload was not started; the provider must "
                    + "apply the operator's crds/ (helm does not upgrade them)");
        }
    }

    /** Whether {@code sent} lists leased IP endpoints that {@code stored} (as the API server kept it) lacks. */
    static boolean leasedIpsDropped(GPUDeployment sent, GPUDeployment stored) {
        int asked = sent.getSpec().getIpEndpoints() == null ? 0 : sent.getSpec().getIpEndpoints().size();
        int kept = stored == null || stored.getSpec() == null || stored.getSpec().getIpEndpoints() == null
                ? 0 : stored.getSpec().getIpEndpoints().size();
        return kept < asked;
    }

    /**
     * The services whose {@code runtimeClassName} {@code sent} names and {@code stored} (as the API server kept it)
     * lacks: what a CRD schema without the field prunes.
     */
    static List<String> runtimeClassesDropped(GPUDeployment sent, GPUDeployment stored) {
        List<String> dropped = new ArrayList<>();
        for (WorkloadService service : sent.getSpec().getServices()) {
            if (service.getRuntimeClassName() == null) {
                continue;
            }
            String kept = stored == null || stored.getSpec() == null ? null : stored.getSpec().getServices().stream()
                    .filter(s -> service.getName().equals(s.getName())).map(WorkloadService::getRuntimeClassName)
                    .filter(java.util.Objects::nonNull).findFirst().orElse(null);
            if (!service.getRuntimeClassName().equals(kept)) {
                dropped.add(service.getName());
            }
        }
        return dropped;
    }

    /** What a tear-down request did. */
    enum Teardown { MARKED_CLOSED, WORKLOAD_DELETED, NOTHING_TO_DELETE }

    /**
     * A tenant's request to stop the workload. When the chain already says the lease is over, the SpheronLease is
     * told so ({@code spec.chainState}) and its reconciler removes everything, namespace included, as it would
     * when the lease watcher catches up. While the lease is still active on chain the gateway may not claim
     * otherwise: it deletes the GPUDeployment and the lease's Secrets, and the lease stays open until the tenant's
     * own close transaction lands.
     */
    Teardown tearDown(long leaseId, LeaseState chainState) {
        if (chainState == LeaseState.CLOSED || chainState == LeaseState.FAILED) {
            SpheronLease lease = client.resources(SpheronLease.class).withName(SpheronLease.nameFor(leaseId)).get();
            if (lease != null) {
                SpheronLeaseSpec.ChainState state = chainState == LeaseState.CLOSED
                        ? SpheronLeaseSpec.ChainState.Closed : SpheronLeaseSpec.ChainState.Failed;
                try {
                    SpheronLease.markChainState(client, SpheronLease.nameFor(leaseId), state);
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 404) {
                        throw e;
                    }
                    // Removed since it was read: its reconciler already tore the lease down.
                }
                return Teardown.MARKED_CLOSED;
            }
        }
        String namespace = namespace(leaseId);
        // The Secrets are named by the GPUDeployment: the operator may not list Secrets (nor read one), so their
        // names come from the object that references them, read before it goes. One delete per Secret, by name.
        Set<String> secretNames = new TreeSet<>();
        deployment(leaseId).ifPresent(d -> d.getSpec().getServices().forEach(s -> {
            if (s.getSecretRef() != null) {
                secretNames.add(s.getSecretRef());
            }
            if (s.getImagePullSecretRef() != null) {
                secretNames.add(s.getImagePullSecretRef());
            }
        }));
        boolean deleted = !client.resources(GPUDeployment.class).inNamespace(namespace)
                .withName(SpheronLease.nameFor(leaseId)).delete().isEmpty();
        for (String name : secretNames) {
            deleted |= !client.secrets().inNamespace(namespace).withName(name).delete().isEmpty();
        }
        return deleted ? Teardown.WORKLOAD_DELETED : Teardown.NOTHING_TO_DELETE;
    }

    /** The status document from the SpheronLease, the GPUDeployment and the namespace's recent events. */
    LeaseStatusReport status(Lease chainLease) {
        long leaseId = chainLease.id();
        SpheronLease lease = client.resources(SpheronLease.class).withName(SpheronLease.nameFor(leaseId)).get();
        GPUDeployment deployment = deployment(leaseId).orElse(null);
        SpheronLeaseStatus leaseStatus = lease == null ? null : lease.getStatus();
        GPUDeploymentStatus workload = deployment == null ? null : deployment.getStatus();

        String phase = leaseStatus != null && leaseStatus.getPhase() != null ? leaseStatus.getPhase().name()
                : fallbackPhase(chainLease, deployment);
        String message = leaseStatus != null && leaseStatus.getMessage() != null ? leaseStatus.getMessage()
                : workload != null && workload.getLastError() != null ? workload.getLastError()
                : fallbackMessage(phase);

        Map<String, LeaseStatusReport.ServiceReport> services = new LinkedHashMap<>();
        if (deployment != null) {
            for (WorkloadService service : deployment.getSpec().getServices()) {
                GPUDeploymentStatus.ServiceStatus observed = workload == null ? null : workload.getServices().stream()
                        .filter(s -> service.getName().equals(s.getName())).findFirst().orElse(null);
                int ready = observed == null ? 0 : observed.getReadyReplicas();
                int total = observed == null ? service.getReplicas() : observed.getReplicas();
                List<String> uris = observed == null || observed.getUris() == null ? List.of() : observed.getUris();
                services.put(service.getName(),
                        new LeaseStatusReport.ServiceReport(service.getName(), ready, total, total, ready, uris));
            }
        }
        Map<String, List<LeaseStatusReport.ForwardedPort>> ports = new LinkedHashMap<>();
        if (workload != null) {
            for (GPUDeploymentStatus.PortMapping mapping : workload.getForwardedPorts()) {
                ports.computeIfAbsent(mapping.getService(), s -> new ArrayList<>())
                        .add(new LeaseStatusReport.ForwardedPort(mapping.getHost(), mapping.getPort(),
                                mapping.getExternalPort(), mapping.getProtocol(), mapping.getService()));
            }
        }
        return new LeaseStatusReport(leaseId, phase, message, services, ports, events(leaseId));
    }

    private static String fallbackPhase(Lease chainLease, GPUDeployment deployment) {
        if (chainLease.state() == LeaseState.CLOSED) {
            return SpheronLeaseStatus.Phase.Closed.name();
        }
        if (chainLease.state() == LeaseState.FAILED) {
            return SpheronLeaseStatus.Phase.Failed.name();
        }
        return deployment == null ? SpheronLeaseStatus.Phase.PendingManifest.name()
                : SpheronLeaseStatus.Phase.Deploying.name();
    }

    private static String fallbackMessage(String phase) {
        return switch (phase) {
            case "PendingManifest" -> "waiting for the tenant's manifest";
            case "Deploying" -> "manifest accepted; the workload is being deployed";
            case "Closed" -> "the lease is closed";
            case "Failed" -> "the lease failed";
            default -> phase;
        };
    }

    private List<LeaseStatusReport.EventReport> events(long leaseId) {
        List<Event> events = new ArrayList<>(client.v1().events().inNamespace(namespace(leaseId)).list().getItems());
        events.sort(Comparator.comparing(LeaseCluster::eventTime, Comparator.nullsFirst(Comparator.naturalOrder())));
        List<Event> recent = events.subList(Math.max(0, events.size() - EVENTS_SHOWN), events.size());
        return recent.stream().map(e -> new LeaseStatusReport.EventReport(eventTime(e), e.getType(), e.getReason(),
                e.getMessage(), e.getInvolvedObject() == null ? null
                        : e.getInvolvedObject().getKind() + "/" + e.getInvolvedObject().getName())).toList();
    }

    private static String eventTime(Event event) {
        if (event.getLastTimestamp() != null) {
            return event.getLastTimestamp();
        }
        if (event.getEventTime() != null && event.getEventTime().getTime() != null) {
            return event.getEventTime().getTime();
        }
        return event.getMetadata().getCreationTimestamp();
    }

    /** The lease's pods, of one service when {@code service} is given, by name. */
    List<Pod> pods(long leaseId, String service) {
        return client.pods().inNamespace(namespace(leaseId)).list().getItems().stream()
                .filter(p -> service == null || service.equals(serviceOf(p)))
                .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
                .toList();
    }

    /**
     * The service a pod belongs to: the first of the usual labels, else the pod name's prefix (a Deployment's pod
     * is {@code <service>-<hash>-<id>}, a StatefulSet's {@code <service>-<n>}).
     */
    static String serviceOf(Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        if (labels != null) {
            for (String label : POD_SERVICE_LABELS) {
                if (labels.get(label) != null) {
                    return labels.get(label);
                }
            }
        }
        String name = pod.getMetadata().getName();
        String withoutId = name.replaceFirst("-[a-z0-9]{5}$", "").replaceFirst("-[0-9]+$", "");
        return withoutId.replaceFirst("-[a-f0-9]{8,10}$", "");
    }

    /** The last {@code lines} lines of the pod's log, at most {@code maxBytes} of them (the API server's limitBytes). */
    String tail(Pod pod, int lines, int maxBytes) {
        return log(pod).limitBytes(maxBytes).tailingLines(lines).getLog();
    }

    LogWatch follow(Pod pod, int lines) {
        return log(pod).tailingLines(lines).watchLog();
    }

    /**
     * Why the pod's log container has no log yet, as the API server words it, when the pod's last known status says
     * it waits to start (pulling or failing to pull its image), or no node runs it yet. Checked before following: a
     * follow request the API server refuses would stream its error document as if it were log lines.
     */
    Optional<String> notStarted(Pod pod) {
        String container = logContainer(pod);
        String name = pod.getMetadata().getName();
        var status = pod.getStatus();
        if (status == null) {
            return notScheduled(pod);
        }
        for (var candidate : status.getContainerStatuses()) {
            if ((container == null || container.equals(candidate.getName())) && candidate.getState() != null
                    && candidate.getState().getWaiting() != null) {
                String reason = Optional.ofNullable(candidate.getState().getWaiting().getReason()).orElse("ContainerCreating");
                return Optional.of("container \"" + candidate.getName() + "\" in pod \"" + name
                        + "\" is waiting to start: " + reason);
            }
        }
        return notScheduled(pod);
    }

    /**
     * Why a pod no node runs yet has no log. Asked for such a pod's log, the API server answers 200 with an empty
     * body (there is no kubelet to ask), so without this a tenant would not hear of the pod at all.
     */
    Optional<String> notScheduled(Pod pod) {
        if (pod.getSpec() != null && pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("pod \"" + pod.getMetadata().getName() + "\" has not started: it is not scheduled on a node yet");
    }

    private ContainerResource log(Pod pod) {
        PodResource resource = client.pods().inNamespace(pod.getMetadata().getNamespace())
                .withName(pod.getMetadata().getName());
        String container = logContainer(pod);
        return container == null ? resource : resource.inContainer(container);
    }

    /** The container whose log is the pod's: the one named after the service, else the first; null for a single one. */
    private static String logContainer(Pod pod) {
        var containers = pod.getSpec() == null ? List.<io.fabric8.kubernetes.api.model.Container>of()
                : pod.getSpec().getContainers();
        if (containers.size() <= 1) {
            return null;
        }
        String service = serviceOf(pod);
        return containers.stream().map(c -> c.getName()).filter(n -> Objects.equals(n, service))
                .findFirst().orElse(containers.get(0).getName());
    }

    static Map<String, String> labels(long leaseId) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(MANAGED_BY_LABEL, MANAGED_BY);
        labels.put(LEASE_LABEL, Long.toString(leaseId));
        return labels;
    }
}
