package org.openspheron.operator.deployment;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPathBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLSBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import org.openspheron.operator.app.OperatorConfig.ExposedServiceType;
import org.openspheron.operator.crd.KubeQuantity;
import org.openspheron.operator.crd.ObjectLabels;

/**
 * The Kubernetes objects one service of a GPUDeployment becomes, as a pure function of the spec, so that a
 * reconcile can compare them with what exists and a test can read them without a cluster:
 * <ul>
 * <li>a Deployment (strategy Recreate: GPUs are too scarce to surge, and the lease quota leaves no room), or a
 * StatefulSet with volume claim templates when the service has persistent volumes;</li>
 * <li>a ClusterIP Service named after the service, for every port, so services of one lease reach each other by
 * name;</li>
 * <li>a {@code <service>-ext} Service of the configured type (NodePort or LoadBalancer) for the global ports
 * that have no {@code accept} hosts;</li>
 * <li>an Ingress named after the service for the global TCP ports that have {@code accept} hosts (Akash's HTTP
 * ingress): one rule per host to the ClusterIP Service's port, with the provider's IngressClass and, when the
 * provider configured a cert-manager issuer, TLS ({@link IngressSettings}). Such a port gets no node port: its
 * traffic goes through the provider's ingress controller, where TLS ends, and not around it;</li>
 * <li>a {@code <service>-ip-<n>} Service for each leased IP endpoint the service's ports name ({@code n} is the
 * endpoint's place in {@code spec.ipEndpoints}), with those ports at their {@code as} numbers, made as the
 * provider's {@link LeasedIpMode} says; services sharing an endpoint share its address. Such ports get no node
 * port.</li>
 * </ul>
 * Pods get the GPU limit, required node affinity on the {@code nvidia.com/gpu.product} values chosen for the
 * service ({@link GpuPlacement}, recorded on the workload for the model it was chosen for), the
 * toleration for GPU taints, and a locked-down security context. {@code runAsNonRoot} is set only when the
 * provider enforces the restricted Pod Security Standard: most GPU images run as root, and the other settings
 * (no privilege escalation, no privileged mode, every capability dropped, the runtime's default seccomp profile,
 * no service account token) take away what root in a container could use against the node. GPU pods run under
 * the provider's RuntimeClass when one is configured ({@link PodSettings}). Memory-backed volumes
 * ({@link RamVolume}) are emptyDirs of medium Memory whose sizes the container's memory request and limit include:
 * the kernel charges a tmpfs's pages to the cgroup of the container that writes them, so without the extra room a
 * full {@code /dev/shm} would get the container OOM-killed, and the lease quota on memory bounds them with the rest.
 */
public final class WorkloadObjects {
    private WorkloadObjects() {
    }

    /**
     * What one service becomes; {@code internal}, {@code external} and {@code ingress} are null when it has no such
     * ports.
     */
    public record ServiceObjects(HasMetadata workload, Service internal, Service external, Ingress ingress,
            List<Service> leasedIps) {
        public ServiceObjects {
            leasedIps = List.copyOf(leasedIps);
        }

        public List<HasMetadata> all() {
            List<HasMetadata> all = new ArrayList<>();
            all.add(workload);
            if (internal != null) {
                all.add(internal);
            }
            if (external != null) {
                all.add(external);
            }
            if (ingress != null) {
                all.add(ingress);
            }
            all.addAll(leasedIps);
            return all;
        }
    }

    public static String externalServiceName(WorkloadService service) {
        return service.getName() + "-ext";
    }

    /** The annotation of a leased IP Service that names its address, whatever the {@link LeasedIpMode}. */
    public static final String LEASED_IP_ANNOTATION = "openspheron.org/leased-ip";
    /** The annotation of a leased IP Service that names its endpoint. */
    public static final String IP_ENDPOINT_ANNOTATION = "openspheron.org/ip-endpoint";
    static final String METALLB_IPS = "metallb.universe.tf/loadBalancerIPs";
    static final String METALLB_SHARING = "metallb.universe.tf/allow-shared-ip";

    /** The leased address {@code object} (a Service the operator made) carries, or null. */
    public static String leasedAddress(HasMetadata object) {
        var annotations = object.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(LEASED_IP_ANNOTATION);
    }

    /** The Service of {@code service}'s ports on the leased IP endpoint at {@code index} of {@code spec.ipEndpoints}. */
    public static String leasedIpServiceName(WorkloadService service, int index) {
        return service.getName() + "-ip-" + index;
    }

    /** A port published on a leased IP endpoint: reached at the endpoint's address, not a node port. */
    public static boolean onLeasedIp(ExposedPort port) {
        return port.getIpEndpoint() != null;
    }

    /** A global TCP port with {@code accept} hosts: reached through the Ingress, not a node port. */
    public static boolean routedByHost(ExposedPort port) {
        return port.isGlobal() && port.getProtocol() == ExposedPort.Protocol.TCP
                && port.getHosts() != null && !port.getHosts().isEmpty();
    }

    /** The hosts an Ingress routes: those of its rules, each once, in rule order. */
    public static List<String> ruleHosts(Ingress ingress) {
        if (ingress.getSpec() == null || ingress.getSpec().getRules() == null) {
            return List.of();
        }
        return ingress.getSpec().getRules().stream().map(IngressRule::getHost).filter(java.util.Objects::nonNull)
                .distinct().toList();
    }

    /** The Secret cert-manager writes the certificate of a service's hosts into. */
    static String tlsSecretName(WorkloadService service) {
        return service.getName() + "-tls";
    }

    /** The ephemeral-storage limit of a container whose manifest asked for none (all its storage persistent). */
    static final long MIN_SCRATCH_MB = 1024;

    public static ServiceObjects desired(GPUDeployment deployment, WorkloadService service, SortedSet<String> gpuProducts,
            ExposedServiceType exposedType, PodSettings pods, IngressSettings ingressSettings) {
        return desired(deployment, service, gpuProducts, exposedType, pods, ingressSettings, LeasedIpMode.METALLB);
    }

    /**
     * What {@code service} becomes.
     *
     * @throws LeasedIpException when a port names an endpoint {@code spec.ipEndpoints} lacks
     */
    public static ServiceObjects desired(GPUDeployment deployment, WorkloadService service, SortedSet<String> gpuProducts,
            ExposedServiceType exposedType, PodSettings pods, IngressSettings ingressSettings, LeasedIpMode ipMode) {
        Map<String, String> labels = labels(deployment, service);
        PodTemplateSpec template = new PodTemplateSpecBuilder()
                .withNewMetadata().withLabels(labels).endMetadata()
                .withSpec(podSpec(service, gpuProducts, pods))
                .build();
        Map<String, String> selector = Map.of(ObjectLabels.DEPLOYMENT, deployment.getMetadata().getName(),
                ObjectLabels.SERVICE, service.getName());
        ObjectMeta workloadMeta = meta(deployment, service.getName(), labels);
        if (service.getResources().getGpuCount() > 0) {
            workloadMeta.setAnnotations(Map.of(GpuPlacement.PLACED_FOR, GpuPlacement.placedFor(service)));
        }
        HasMetadata workload = service.getResources().getVolumes().isEmpty()
                ? new DeploymentBuilder().withMetadata(workloadMeta)
                        .withNewSpec().withReplicas(service.getReplicas())
                        .withNewSelector().withMatchLabels(selector).endSelector()
                        .withNewStrategy().withType("Recreate").endStrategy()
                        .withTemplate(template).endSpec().build()
                : new StatefulSetBuilder().withMetadata(workloadMeta)
                        .withNewSpec().withReplicas(service.getReplicas()).withServiceName(service.getName())
                        .withNewSelector().withMatchLabels(selector).endSelector()
                        .withTemplate(template)
                        .withVolumeClaimTemplates(claims(service))
                        .endSpec().build();
        List<ServicePort> all = new ArrayList<>();
        List<ServicePort> global = new ArrayList<>();
        for (ExposedPort port : service.getPorts()) {
            ServicePort servicePort = new ServicePortBuilder().withName(portName(port))
                    .withPort(port.getAs() == null ? port.getPort() : port.getAs())
                    .withTargetPort(new IntOrString(port.getPort())).withProtocol(port.getProtocol().name()).build();
            all.add(servicePort);
            if (port.isGlobal() && !routedByHost(port) && !onLeasedIp(port)) {
                global.add(servicePort);
            }
        }
        Service internal = all.isEmpty() ? null : new ServiceBuilder().withMetadata(meta(deployment, service.getName(), labels))
                .withNewSpec().withType("ClusterIP").withSelector(selector).withPorts(all).endSpec().build();
        Service external = global.isEmpty() ? null : new ServiceBuilder()
                .withMetadata(meta(deployment, externalServiceName(service), labels))
                .withNewSpec().withType(exposedType.name()).withSelector(selector).withPorts(global).endSpec().build();
        return new ServiceObjects(workload, internal, external, ingress(deployment, service, labels, ingressSettings),
                leasedIpServices(deployment, service, labels, selector, ipMode));
    }

    private static List<Service> leasedIpServices(GPUDeployment deployment, WorkloadService service,
            Map<String, String> labels, Map<String, String> selector, LeasedIpMode mode) {
        List<LeasedIp> endpoints = deployment.getSpec().getIpEndpoints() == null ? List.of() : deployment.getSpec().getIpEndpoints();
        List<Service> out = new ArrayList<>();
        for (ExposedPort port : service.getPorts()) {
            if (onLeasedIp(port) && endpoints.stream().noneMatch(e -> e.getName().equals(port.getIpEndpoint()))) {
                throw new LeasedIpException("IpEndpointUnknown", "service " + service.getName() + " publishes port "
                        + port.getPort() + " on ip endpoint " + port.getIpEndpoint() + ", which spec.ipEndpoints does not list");
            }
        }
        for (int i = 0; i < endpoints.size(); i++) {
            LeasedIp endpoint = endpoints.get(i);
            List<ServicePort> ports = new ArrayList<>();
            for (ExposedPort port : service.getPorts()) {
                if (endpoint.getName().equals(port.getIpEndpoint())) {
                    ports.add(new ServicePortBuilder().withName(portName(port))
                            .withPort(port.getAs() == null ? port.getPort() : port.getAs())
                            .withTargetPort(new IntOrString(port.getPort())).withProtocol(port.getProtocol().name()).build());
                }
            }
            if (ports.isEmpty()) {
                continue;
            }
            ObjectMeta meta = meta(deployment, leasedIpServiceName(service, i), labels);
            Map<String, String> annotations = new LinkedHashMap<>();
            annotations.put(LEASED_IP_ANNOTATION, endpoint.getAddress());
            annotations.put(IP_ENDPOINT_ANNOTATION, endpoint.getName());
            if (mode == LeasedIpMode.METALLB) {
                annotations.put(METALLB_IPS, endpoint.getAddress());
                // The services of one endpoint share its address: MetalLB allows it for Services with one key.
                annotations.put(METALLB_SHARING, deployment.getMetadata().getNamespace() + "-" + endpoint.getName());
            }
            meta.setAnnotations(annotations);
            var spec = new ServiceBuilder().withMetadata(meta).withNewSpec().withSelector(selector).withPorts(ports);
            switch (mode) {
                case METALLB -> spec.withType("LoadBalancer");
                case LOAD_BALANCER_IP -> spec.withType("LoadBalancer").withLoadBalancerIP(endpoint.getAddress());
                case EXTERNAL_IPS -> spec.withType("ClusterIP").withExternalIPs(endpoint.getAddress());
            }
            out.add(spec.endSpec().build());
        }
        return out;
    }

    private static Ingress ingress(GPUDeployment deployment, WorkloadService service, Map<String, String> labels,
            IngressSettings settings) {
        List<IngressRule> rules = new ArrayList<>();
        List<String> hosts = new ArrayList<>();
        for (ExposedPort port : service.getPorts()) {
            if (!routedByHost(port)) {
                continue;
            }
            int servicePort = port.getAs() == null ? port.getPort() : port.getAs();
            for (String host : port.getHosts()) {
                rules.add(new IngressRuleBuilder().withHost(host).withNewHttp()
                        .withPaths(new HTTPIngressPathBuilder().withPath("/").withPathType("Prefix")
                                .withNewBackend().withNewService().withName(service.getName())
                                .withNewPort().withNumber(servicePort).endPort().endService().endBackend().build())
                        .endHttp().build());
                hosts.add(host);
            }
        }
        if (rules.isEmpty()) {
            return null;
        }
        ObjectMeta meta = meta(deployment, service.getName(), labels);
        settings.clusterIssuer().ifPresent(issuer -> meta.setAnnotations(Map.of(IngressSettings.CLUSTER_ISSUER_ANNOTATION, issuer)));
        var spec = new IngressBuilder().withMetadata(meta).withNewSpec().withRules(rules);
        settings.className().ifPresent(spec::withIngressClassName);
        if (settings.clusterIssuer().isPresent()) {
            spec.withTls(new IngressTLSBuilder().withHosts(hosts).withSecretName(tlsSecretName(service)).build());
        }
        return spec.endSpec().build();
    }

    static Map<String, String> labels(GPUDeployment deployment, WorkloadService service) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(ObjectLabels.MANAGED_BY, ObjectLabels.OPERATOR);
        labels.put(ObjectLabels.DEPLOYMENT, deployment.getMetadata().getName());
        labels.put(ObjectLabels.SERVICE, service.getName());
        if (deployment.getSpec().getLeaseId() != null) {
            labels.put(ObjectLabels.LEASE_ID, deployment.getSpec().getLeaseId().toString());
        }
        return labels;
    }

    private static ObjectMeta meta(GPUDeployment deployment, String name, Map<String, String> labels) {
        return new ObjectMetaBuilder().withName(name).withNamespace(deployment.getMetadata().getNamespace())
                .withLabels(labels)
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(deployment.getApiVersion())
                        .withKind(deployment.getKind()).withName(deployment.getMetadata().getName())
                        .withUid(deployment.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).build())
                .build();
    }

    /** Port names must be unique, at most 15 characters: the port number and protocol are both. */
    private static String portName(ExposedPort port) {
        return "p" + port.getPort() + "-" + port.getProtocol().name().toLowerCase();
    }

    private static PodSpec podSpec(WorkloadService service, SortedSet<String> gpuProducts, PodSettings pods) {
        ServiceResources resources = service.getResources();
        PodSpecBuilder spec = new PodSpecBuilder()
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withNewSecurityContext().withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
                .withContainers(container(service, pods.runAsNonRoot()));
        if (service.getImagePullSecretRef() != null) {
            spec.addNewImagePullSecret(service.getImagePullSecretRef());
        }
        for (RamVolume volume : resources.getRamVolumes()) {
            spec.addNewVolume().withName(volume.getName())
                    .withNewEmptyDir().withMedium("Memory").withSizeLimit(KubeQuantity.mebibytes(volume.getSizeMb())).endEmptyDir()
                    .endVolume();
        }
        if (service.getRuntimeClassName() != null) {
            spec.withRuntimeClassName(service.getRuntimeClassName());
        } else if (resources.getGpuCount() > 0) {
            pods.gpuRuntimeClass().ifPresent(spec::withRuntimeClassName);
        }
        List<io.fabric8.kubernetes.api.model.Toleration> tolerated = pods.tolerations().forPods(resources.getGpuCount() > 0);
        if (!tolerated.isEmpty()) {
            spec.withTolerations(tolerated);
        }
        if (resources.getGpuCount() > 0) {
            // Also without a model: "any" means any whole GPU, never a MIG slice or a shared one (GpuModels).
            var requirement = new NodeSelectorRequirementBuilder().withKey(ObjectLabels.GPU_PRODUCT_LABEL).withOperator("In")
                    .withValues(new ArrayList<>(gpuProducts)).build();
            spec.withNewAffinity().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                    .addNewNodeSelectorTerm().withMatchExpressions(requirement).endNodeSelectorTerm()
                    .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity();
        }
        return spec.build();
    }

    private static Container container(WorkloadService service, boolean runAsNonRoot) {
        ServiceResources r = service.getResources();
        Map<String, Quantity> requests = new LinkedHashMap<>();
        Map<String, Quantity> limits = new LinkedHashMap<>();
        // Canonical forms (KubeQuantity): what the API server gives back, so a second pass finds nothing to change.
        requests.put("cpu", KubeQuantity.cpu(r.getCpuMilli()));
        limits.put("cpu", KubeQuantity.cpu(r.getCpuMilli()));
        requests.put("memory", KubeQuantity.mebibytes(r.containerMemoryMb()));
        limits.put("memory", KubeQuantity.mebibytes(r.containerMemoryMb()));
        // Always requested, so the lease quota on ephemeral-storage requests admits the pod; always limited, so no
        // container fills its node's disk: a service whose storage is all persistent still gets a small scratch
        // space for its writable layer and logs.
        requests.put("ephemeral-storage", KubeQuantity.mebibytes(r.getEphemeralStorageMb()));
        limits.put("ephemeral-storage", KubeQuantity.mebibytes(Math.max(r.getEphemeralStorageMb(), MIN_SCRATCH_MB)));
        if (r.getGpuCount() > 0) {
            requests.put(ObjectLabels.GPU_RESOURCE, KubeQuantity.count(r.getGpuCount()));
            limits.put(ObjectLabels.GPU_RESOURCE, KubeQuantity.count(r.getGpuCount()));
        }
        List<EnvVar> env = new ArrayList<>();
        service.getEnv().forEach((k, v) -> env.add(new EnvVar(k, v, null)));
        List<ContainerPort> ports = new ArrayList<>();
        for (ExposedPort port : service.getPorts()) {
            ports.add(new ContainerPortBuilder().withName(portName(port)).withContainerPort(port.getPort())
                    .withProtocol(port.getProtocol().name()).build());
        }
        // Always: a private image another tenant pulled to this node must not start for a pod without its credentials
        // (with IfNotPresent the kubelet skips the registry, and so the credential check). The strongest policy, so
        // no pull_policy of the manifest is weakened by it.
        ContainerBuilder container = new ContainerBuilder().withName(service.getName()).withImage(service.getImage())
                .withImagePullPolicy("Always")
                .withCommand(service.getCommand()).withArgs(service.getArgs())
                .withEnv(env).withPorts(ports)
                .withNewResources().withRequests(requests).withLimits(limits).endResources()
                .withSecurityContext(securityContext(runAsNonRoot));
        if (service.getSecretRef() != null) {
            container.addNewEnvFrom().withNewSecretRef().withName(service.getSecretRef()).endSecretRef().endEnvFrom();
        }
        for (StorageVolume volume : r.getVolumes()) {
            container.addToVolumeMounts(new VolumeMountBuilder().withName(volume.getName()).withMountPath(volume.getMountPath()).build());
        }
        for (RamVolume volume : r.getRamVolumes()) {
            container.addToVolumeMounts(new VolumeMountBuilder().withName(volume.getName()).withMountPath(volume.getMountPath()).build());
        }
        return container.build();
    }

    private static SecurityContext securityContext(boolean runAsNonRoot) {
        SecurityContextBuilder context = new SecurityContextBuilder()
                .withAllowPrivilegeEscalation(false)
                .withPrivileged(false)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile();
        if (runAsNonRoot) {
            context.withRunAsNonRoot(true);
        }
        return context.build();
    }

    private static List<PersistentVolumeClaim> claims(WorkloadService service) {
        List<PersistentVolumeClaim> claims = new ArrayList<>();
        for (StorageVolume volume : service.getResources().getVolumes()) {
            claims.add(new PersistentVolumeClaimBuilder()
                    .withNewMetadata().withName(volume.getName()).endMetadata()
                    .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName(volume.getStorageClass())
                    .withNewResources().addToRequests("storage", KubeQuantity.mebibytes(volume.getSizeMb())).endResources()
                    .endSpec().build());
        }
        return claims;
    }
}
