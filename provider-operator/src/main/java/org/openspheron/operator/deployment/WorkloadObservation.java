package org.openspheron.operator.deployment;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.openspheron.operator.crd.Condition;
import org.openspheron.operator.crd.ObjectLabels;
import org.openspheron.operator.deployment.GPUDeploymentStatus.PortMapping;
import org.openspheron.operator.deployment.GPUDeploymentStatus.ServiceStatus;

/**
 * Turns what the cluster shows (workloads, pods, services, nodes) into a GPUDeployment status. Only what was
 * observed goes in: replicas from the workloads' status, reasons from the pods, ports from the node ports or
 * load balancer addresses the cluster allocated, hosts from the Ingresses that exist. URIs say how a port is
 * spoken to: {@code https://host} for an Ingress host with TLS, {@code http://host} without; a node port or load
 * balancer port is {@code http://} only when it is Akash's HTTP port (TCP published as 80), {@code udp://} for UDP
 * and {@code tcp://} otherwise, so no client takes a database port for a web page. {@code status.url} is the first
 * HTTP(S) URI, else the first.
 */
final class WorkloadObservation {
    /** Container waiting reasons that will not resolve by waiting: the tenant has to change the manifest. */
    static final Set<String> FAILURE_REASONS = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "CrashLoopBackOff");
    /**
     * Container waiting reasons the kubelet retries by itself and that often clear: a Secret the kubelet's watch
     * cache has not synced yet within its one-second wait (a loaded node), a runtime that failed once. They fail
     * the deployment only when they outlast the retry grace.
     */
    static final Set<String> RETRIED_REASONS = Set.of("CreateContainerConfigError", "CreateContainerError", "RunContainerError");
    static final Duration DEFAULT_RETRY_GRACE = Duration.ofMinutes(2);
    static final String READY = "Ready";
    static final String GPU_AVAILABLE = "GpuAvailable";
    static final String QUOTA_EXCEEDED = "QuotaExceeded";
    /** How the ResourceQuota admission plugin words a refusal: {@code pods "x" is forbidden: exceeded quota: ...}. */
    private static final String QUOTA_REFUSAL = "exceeded quota";

    private final Collection<Deployment> deployments;
    private final Collection<StatefulSet> statefulSets;
    private final Collection<Service> services;
    private final Collection<Pod> pods;
    private final Map<String, Node> nodes;
    private final Optional<String> publicHost;
    private final Map<String, String> createFailures;
    private Collection<Ingress> ingresses = List.of();
    private Instant now = Instant.now();
    private Duration retryGrace = DEFAULT_RETRY_GRACE;
    private Duration recheckAfter;

    WorkloadObservation(Collection<Deployment> deployments, Collection<StatefulSet> statefulSets, Collection<Service> services,
            Collection<Pod> pods, Collection<Node> nodes, Optional<String> publicHost) {
        this(deployments, statefulSets, services, pods, nodes, publicHost, Map.of());
    }

    /** Judges retried container errors at {@code now} against {@code grace} (see {@link #RETRIED_REASONS}). */
    WorkloadObservation retryGrace(Duration grace, Instant now) {
        this.retryGrace = grace;
        this.now = now;
        return this;
    }

    /** The Ingresses of the deployment, as the cluster shows them. */
    WorkloadObservation ingresses(Collection<Ingress> ingresses) {
        this.ingresses = ingresses;
        return this;
    }

    /**
     * When a container error the kubelet is still retrying turns fatal unless it clears: the reconciler looks again
     * then, since a container that stays in the same waiting state changes nothing that would wake it.
     */
    Optional<Duration> recheckAfter() {
        return Optional.ofNullable(recheckAfter);
    }

    /**
     * @param createFailures the latest FailedCreate event message of each StatefulSet still short of replicas: the
     *                       StatefulSet controller reports a pod or claim it could not create only so (a Deployment
     *                       has its ReplicaFailure condition)
     */
    WorkloadObservation(Collection<Deployment> deployments, Collection<StatefulSet> statefulSets, Collection<Service> services,
            Collection<Pod> pods, Collection<Node> nodes, Optional<String> publicHost, Map<String, String> createFailures) {
        this.createFailures = createFailures;
        this.deployments = deployments;
        this.statefulSets = statefulSets;
        this.services = services;
        this.pods = pods;
        this.nodes = nodes.stream().collect(Collectors.toMap(n -> n.getMetadata().getName(), Function.identity(), (a, b) -> a));
        this.publicHost = publicHost;
    }

    /** A reason and message for why a service is not ready. */
    record Problem(String reason, String message, boolean fatal) {
    }

    /**
     * The status of {@code deployment}, starting from {@code previous} so condition transition times survive.
     * {@code missingModels} maps a service to the GPU model no node offers.
     */
    GPUDeploymentStatus status(GPUDeployment deployment, GPUDeploymentStatus previous, Map<String, String> missingModels) {
        GPUDeploymentStatus status = new GPUDeploymentStatus();
        status.setConditions(previous == null ? new ArrayList<>() : Serialization.clone(previous).getConditions());
        Long generation = deployment.getMetadata().getGeneration();
        status.setObservedGeneration(generation);
        Problem first = null;
        boolean allReady = true;
        int gpus = 0;
        Set<String> models = new LinkedHashSet<>();
        for (WorkloadService spec : deployment.getSpec().getServices()) {
            ServiceStatus service = new ServiceStatus();
            service.setName(spec.getName());
            service.setReplicas(spec.getReplicas());
            service.setReadyReplicas(readyReplicas(spec.getName()));
            gpus += spec.getResources().getGpuCount() * spec.getReplicas();
            if (spec.getResources().getGpuModel() != null && spec.getResources().getGpuCount() > 0) {
                models.add(spec.getResources().getGpuModel());
            }
            Problem problem = missingModels.containsKey(spec.getName())
                    ? new Problem("GpuModelUnavailable", "no node offers GPU model " + missingModels.get(spec.getName())
                            + " (no nvidia.com/gpu.product label matches it)", false)
                    : workloadProblem(spec.getName()) != null ? workloadProblem(spec.getName()) : podProblem(deployment, spec.getName());
            if (problem != null) {
                service.setReason(problem.reason());
                if (first == null || (problem.fatal() && !first.fatal())) {
                    first = problem;
                }
            }
            List<PortMapping> mappings = portMappings(deployment, spec);
            long globalPorts = spec.getPorts().stream().filter(p -> p.isGlobal() && !WorkloadObjects.routedByHost(p)).count();
            if (problem == null && mappings.size() < globalPorts) {
                // Ready pods nobody can reach yet: the node port or load balancer address is still being allocated.
                problem = new Problem("AwaitingExternalAddress", "service " + spec.getName()
                        + ": waiting for the cluster to allocate its external ports", false);
                service.setReason(problem.reason());
                if (first == null) {
                    first = problem;
                }
            }
            service.getUris().addAll(hostUris(spec));
            mappings.forEach(m -> service.getUris().add(uri(m)));
            status.getForwardedPorts().addAll(mappings);
            status.getServices().add(service);
            status.setReplicas(status.getReplicas() + service.getReplicas());
            status.setReadyReplicas(status.getReadyReplicas() + service.getReadyReplicas());
            allReady &= service.getReadyReplicas() >= service.getReplicas();
        }
        status.setGpus(gpus);
        status.setGpuModel(models.isEmpty() ? null : String.join(",", models));
        List<String> uris = status.getServices().stream().flatMap(s -> s.getUris().stream()).toList();
        status.setUrl(uris.stream().filter(u -> u.startsWith("https://") || u.startsWith("http://")).findFirst()
                .orElse(uris.isEmpty() ? null : uris.get(0)));
        if (allReady && first == null) {
            status.setPhase(GPUDeploymentStatus.Phase.Running);
            Condition.set(status.getConditions(), READY, true, "AllServicesReady", "every service has its replicas ready", generation);
        } else {
            status.setPhase(first != null && first.fatal() ? GPUDeploymentStatus.Phase.Failed : GPUDeploymentStatus.Phase.Pending);
            status.setLastError(first == null ? null : first.message());
            Condition.set(status.getConditions(), READY, false, first == null ? "ReplicasNotReady" : first.reason(),
                    first == null ? "waiting for replicas to become ready" : first.message(), generation);
        }
        Condition.set(status.getConditions(), GPU_AVAILABLE, missingModels.isEmpty(),
                missingModels.isEmpty() ? "GpuModelFound" : "GpuModelUnavailable",
                missingModels.isEmpty() ? "a node offers every requested GPU model"
                        : "no node offers GPU model " + String.join(", ", new LinkedHashSet<>(missingModels.values())), generation);
        return status;
    }

    private int readyReplicas(String name) {
        Optional<Integer> fromDeployment = deployments.stream().filter(d -> name.equals(d.getMetadata().getName()))
                .findFirst().map(d -> d.getStatus() == null ? null : d.getStatus().getReadyReplicas());
        Optional<Integer> fromStatefulSet = statefulSets.stream().filter(s -> name.equals(s.getMetadata().getName()))
                .findFirst().map(s -> s.getStatus() == null ? null : s.getStatus().getReadyReplicas());
        return fromDeployment.or(() -> fromStatefulSet).orElse(0);
    }

    /**
     * A workload whose controller cannot create pods, typically because the lease quota refuses them: there is no
     * pod to read a reason from, only the Deployment's ReplicaFailure condition or the StatefulSet's FailedCreate
     * event.
     */
    private Problem workloadProblem(String name) {
        if (createFailures.containsKey(name)) {
            return refusal(name, "FailedCreate", createFailures.get(name));
        }
        return deployments.stream().filter(d -> name.equals(d.getMetadata().getName()) && d.getStatus() != null)
                .flatMap(d -> Optional.ofNullable(d.getStatus().getConditions()).orElse(List.of()).stream())
                .filter(c -> "ReplicaFailure".equals(c.getType()) && "True".equals(c.getStatus()))
                .findFirst()
                .map(c -> refusal(name, c.getReason(), c.getMessage()))
                .orElse(null);
    }

    /**
     * Why a controller could not create a service's pods. A refusal by the ResourceQuota admission plugin gets a
     * reason of its own: the workload asks for more than the lease bought, which waiting will not change.
     */
    static Problem refusal(String service, String reason, String message) {
        if (message != null && message.contains(QUOTA_REFUSAL)) {
            return new Problem(QUOTA_EXCEEDED, "service " + service + ": the lease quota refuses its pods: " + message, true);
        }
        return new Problem(Optional.ofNullable(reason).orElse("ReplicaFailure"),
                "service " + service + ": pods cannot be created: " + message, true);
    }

    private List<Pod> podsOf(GPUDeployment deployment, String service) {
        return pods.stream().filter(p -> p.getMetadata().getLabels() != null
                        && deployment.getMetadata().getName().equals(p.getMetadata().getLabels().get(ObjectLabels.DEPLOYMENT))
                        && service.equals(p.getMetadata().getLabels().get(ObjectLabels.SERVICE)))
                .sorted((a, b) -> a.getMetadata().getName().compareTo(b.getMetadata().getName()))
                .toList();
    }

    private Problem podProblem(GPUDeployment deployment, String service) {
        for (Pod pod : podsOf(deployment, service)) {
            if (pod.getStatus() == null) {
                continue;
            }
            List<ContainerStatus> containers = new ArrayList<>(Optional.ofNullable(pod.getStatus().getInitContainerStatuses()).orElse(List.of()));
            containers.addAll(Optional.ofNullable(pod.getStatus().getContainerStatuses()).orElse(List.of()));
            for (ContainerStatus container : containers) {
                var waiting = container.getState() == null ? null : container.getState().getWaiting();
                if (waiting != null && FAILURE_REASONS.contains(waiting.getReason())) {
                    return new Problem(waiting.getReason(), "service " + service + ": " + waiting.getReason()
                            + (waiting.getMessage() == null ? "" : ": " + waiting.getMessage()), true);
                }
                if (waiting != null && RETRIED_REASONS.contains(waiting.getReason())) {
                    Duration left = retryGrace.minus(Duration.between(createdAt(pod), now));
                    boolean fatal = left.isNegative() || left.isZero();
                    if (!fatal && (recheckAfter == null || left.compareTo(recheckAfter) < 0)) {
                        recheckAfter = left;
                    }
                    return new Problem(waiting.getReason(), "service " + service + ": " + waiting.getReason()
                            + (waiting.getMessage() == null ? "" : ": " + waiting.getMessage())
                            + (fatal ? " (for more than " + retryGrace.toSeconds() + "s)" : " (the kubelet retries)"), fatal);
                }
            }
            for (PodCondition condition : Optional.ofNullable(pod.getStatus().getConditions()).orElse(List.of())) {
                if ("PodScheduled".equals(condition.getType()) && "False".equals(condition.getStatus())) {
                    return new Problem(Optional.ofNullable(condition.getReason()).orElse("Unschedulable"),
                            "service " + service + " cannot be scheduled: " + condition.getMessage(), false);
                }
            }
            if ("Failed".equals(pod.getStatus().getPhase())) {
                return new Problem("PodFailed", "service " + service + ": pod " + pod.getMetadata().getName() + " failed: "
                        + pod.getStatus().getReason(), true);
            }
        }
        return null;
    }

    /** When the pod was created; a pod without a timestamp (never from an API server) counts as just created. */
    private Instant createdAt(Pod pod) {
        String created = pod.getMetadata().getCreationTimestamp();
        return created == null ? now : OffsetDateTime.parse(created).toInstant();
    }

    private List<PortMapping> portMappings(GPUDeployment deployment, WorkloadService spec) {
        List<PortMapping> mappings = new ArrayList<>();
        List<LeasedIp> endpoints = deployment.getSpec().getIpEndpoints() == null ? List.of() : deployment.getSpec().getIpEndpoints();
        for (int i = 0; i < endpoints.size(); i++) {
            String name = WorkloadObjects.leasedIpServiceName(spec, i);
            services.stream().filter(s -> name.equals(s.getMetadata().getName())).findFirst()
                    .ifPresent(s -> mappings.addAll(leasedIpMappings(spec, s)));
        }
        Optional<Service> external = services.stream()
                .filter(s -> WorkloadObjects.externalServiceName(spec).equals(s.getMetadata().getName())).findFirst();
        if (external.isEmpty()) {
            return mappings;
        }
        Service service = external.get();
        List<LoadBalancerIngress> ingress = service.getStatus() == null || service.getStatus().getLoadBalancer() == null
                ? List.of() : Optional.ofNullable(service.getStatus().getLoadBalancer().getIngress()).orElse(List.of());
        boolean loadBalancer = "LoadBalancer".equals(service.getSpec().getType());
        String lbHost = ingress.stream().map(i -> i.getHostname() != null ? i.getHostname() : i.getIp()).filter(Objects::nonNull)
                .findFirst().orElse(null);
        String nodeHost = publicHost.orElseGet(() -> nodeAddress(deployment, spec.getName()));
        for (ServicePort port : service.getSpec().getPorts()) {
            if (loadBalancer && lbHost != null) {
                mappings.add(new PortMapping(spec.getName(), port.getPort(), lbHost, port.getPort(), port.getProtocol()));
            } else if (port.getNodePort() != null && nodeHost != null) {
                mappings.add(new PortMapping(spec.getName(), port.getPort(), nodeHost, port.getNodePort(), port.getProtocol()));
            }
        }
        return mappings;
    }

    /**
     * The ports of a leased IP Service at the address that really carries them: its {@code externalIPs} (kube-proxy
     * answers there once the Service exists), or the address its load balancer reports; none until then.
     */
    private static List<PortMapping> leasedIpMappings(WorkloadService spec, Service service) {
        String address;
        if ("LoadBalancer".equals(service.getSpec().getType())) {
            List<LoadBalancerIngress> ingress = service.getStatus() == null || service.getStatus().getLoadBalancer() == null
                    ? List.of() : Optional.ofNullable(service.getStatus().getLoadBalancer().getIngress()).orElse(List.of());
            address = ingress.stream().map(LoadBalancerIngress::getIp).filter(Objects::nonNull).findFirst().orElse(null);
        } else {
            address = Optional.ofNullable(service.getSpec().getExternalIPs()).orElse(List.of()).stream().findFirst().orElse(null);
        }
        if (address == null) {
            return List.of();
        }
        return service.getSpec().getPorts().stream()
                .map(port -> new PortMapping(spec.getName(), port.getPort(), address, port.getPort(), port.getProtocol()))
                .toList();
    }

    /** The node a pod of the service runs on, else any node: ExternalIP first, then InternalIP. */
    private String nodeAddress(GPUDeployment deployment, String service) {
        return podsOf(deployment, service).stream().map(p -> p.getSpec() == null ? null : p.getSpec().getNodeName())
                .filter(Objects::nonNull).map(nodes::get).filter(Objects::nonNull)
                .map(WorkloadObservation::address).filter(Objects::nonNull).findFirst()
                .orElseGet(() -> nodes.values().stream().sorted((a, b) -> a.getMetadata().getName().compareTo(b.getMetadata().getName()))
                        .map(WorkloadObservation::address).filter(Objects::nonNull).findFirst().orElse(null));
    }

    private static String address(Node node) {
        List<NodeAddress> addresses = node.getStatus() == null ? List.of() : Optional.ofNullable(node.getStatus().getAddresses()).orElse(List.of());
        return addresses.stream().filter(a -> "ExternalIP".equals(a.getType())).map(NodeAddress::getAddress).findFirst()
                .or(() -> addresses.stream().filter(a -> "InternalIP".equals(a.getType())).map(NodeAddress::getAddress).findFirst())
                .orElse(null);
    }

    /** The hosts of the service's Ingress, https where its TLS section covers them. */
    private List<String> hostUris(WorkloadService spec) {
        Optional<Ingress> ingress = ingresses.stream().filter(i -> spec.getName().equals(i.getMetadata().getName())).findFirst();
        if (ingress.isEmpty() || ingress.get().getSpec() == null) {
            return List.of();
        }
        Set<String> tls = Optional.ofNullable(ingress.get().getSpec().getTls()).orElse(List.of()).stream()
                .flatMap(t -> Optional.ofNullable(t.getHosts()).orElse(List.of()).stream()).collect(Collectors.toSet());
        return WorkloadObjects.ruleHosts(ingress.get()).stream()
                .map(host -> (tls.contains(host) ? "https://" : "http://") + host)
                .toList();
    }

    private static String uri(PortMapping mapping) {
        String scheme = "UDP".equals(mapping.getProtocol()) ? "udp" : mapping.getPort() == 80 ? "http" : "tcp";
        String host = mapping.getHost().contains(":") ? "[" + mapping.getHost() + "]" : mapping.getHost();
        return scheme + "://" + host + ":" + mapping.getExternalPort();
    }
}
