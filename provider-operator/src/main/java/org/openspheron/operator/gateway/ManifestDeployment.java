package org.openspheron.operator.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.openspheron.chain.GpuModel;
import org.openspheron.chain.OrderFeatures;
import org.openspheron.chain.OrderSpec;
import org.openspheron.operator.deployment.LeasedIp;
import org.openspheron.manifest.ComputeProfile;
import org.openspheron.manifest.DeploymentEntry;
import org.openspheron.manifest.DeploymentGroups;
import org.openspheron.manifest.Expose;
import org.openspheron.manifest.GpuRequirement;
import org.openspheron.manifest.Manifest;
import org.openspheron.manifest.ManifestException;
import org.openspheron.manifest.RegistryCredentials;
import org.openspheron.manifest.ResourceTotals;
import org.openspheron.manifest.ServiceSpec;
import org.openspheron.manifest.StorageMount;
import org.openspheron.operator.deployment.ExposedPort;
import org.openspheron.operator.deployment.GPUDeployment;
import org.openspheron.operator.deployment.GPUDeploymentSpec;
import org.openspheron.operator.deployment.RamVolume;
import org.openspheron.operator.deployment.ServiceResources;
import org.openspheron.operator.deployment.StorageVolume;
import org.openspheron.operator.deployment.WorkloadObjects;
import org.openspheron.operator.deployment.WorkloadService;
import org.openspheron.operator.lease.SpheronLease;

/**
 * Turns a parsed manifest into the lease's workload: one GPUDeployment service per manifest service, and Secrets
 * for everything secret. Every environment variable goes into the Secret {@code <service>-env} (a manifest does not
 * say which values are secret, so none is trusted to be public) and registry credentials into the
 * {@code kubernetes.io/dockerconfigjson} Secret {@code <service>-registry}; the GPUDeployment only names them. A pure
 * function of the manifest: the same manifest always gives the same objects, which makes a re-send idempotent. The
 * Secrets are immutable: nothing may rewrite them (the operator's role cannot), and the kubelet need not watch them.
 */
final class ManifestDeployment {
    private static final long MIB = 1024L * 1024;
    /** Where a {@code class: ram} volume the service does not mount goes: the shared memory PyTorch and NCCL use. */
    static final String SHM = "/dev/shm";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ManifestDeployment() {
    }

    /**
     * The workload of {@code manifest} for the lease whose order is {@code order}. The lease decides what runs, not
     * the manifest: a manifest asking for more GPUs, CPU, memory or storage than the order bought, or for GPU models
     * (with memory and interface) the order's model does not imply, is refused with the field named; GPU services are pinned to the order's model (the
     * one the provider bid on and is paid for), whatever other models the manifest would also accept.
     */
    static LeaseWorkload of(long leaseId, Manifest manifest, OrderSpec order) {
        return of(leaseId, manifest, order, StorageClasses.NONE);
    }

    /** As {@link #of(long, Manifest, OrderSpec)}, with persistent volumes on the provider's {@code storageClasses}. */
    static LeaseWorkload of(long leaseId, Manifest manifest, OrderSpec order, StorageClasses storageClasses) {
        return of(leaseId, manifest, order, storageClasses, TeeRuntimes.NONE);
    }

    /**
     * As {@link #of(long, Manifest, OrderSpec, StorageClasses)}, with the pods of services that ask for confidential
     * computing ({@code params.tee}) on the provider's RuntimeClass for that type.
     */
    static LeaseWorkload of(long leaseId, Manifest manifest, OrderSpec order, StorageClasses storageClasses,
            TeeRuntimes teeRuntimes) {
        try {
            DeploymentGroups.requireOneGroup(manifest);
        } catch (ManifestException e) {
            throw GatewayError.invalidManifest(e.getMessage(), e.field());
        }
        refuseBeyondOrder(leaseId, manifest, order);
        String namespace = LeaseCluster.namespace(leaseId);
        List<WorkloadService> services = new ArrayList<>();
        List<Secret> secrets = new ArrayList<>();
        for (ServiceSpec service : manifest.services().values()) {
            List<DeploymentEntry> deployments = manifest.deploymentsOf(service.name());
            if (deployments.isEmpty()) {
                continue;
            }
            // One placement per manifest (requireOneGroup): a service's deployments are all in it.
            ComputeProfile profile = manifest.profile(deployments.get(0).profile());
            WorkloadService workload = service(service, profile, manifest.replicas(service.name()), storageClasses);
            workload.setRuntimeClassName(teeRuntimes.of(service.tee(), "services." + service.name() + ".params.tee.type"));
            if (profile.hasGpu() && !order.gpuModel().isBlank()) {
                // The order's model must imply one the manifest accepts: every GPU that serves A100-80GB serves a
                // manifest asking a100, not one asking a100 with ram 80Gi when the order only said A100.
                GpuModel bought = GpuModel.parse(order.gpuModel());
                List<String> accepted = profile.gpus().stream().map(GpuRequirement::orderModel).filter(m -> !m.isEmpty()).toList();
                if (!accepted.isEmpty() && accepted.stream().noneMatch(m -> bought.implies(GpuModel.parse(m)))) {
                    throw GatewayError.invalidManifest("service " + service.name() + " accepts the GPU models " + accepted
                            + ", but lease " + leaseId + " was ordered and bid for " + order.gpuModel(),
                            "profiles.compute." + deployments.get(0).profile() + ".resources.gpu");
                }
                workload.getResources().setGpuModel(order.gpuModel());
            }
            if (!service.env().isEmpty()) {
                workload.setSecretRef(service.name() + "-env");
                secrets.add(envSecret(leaseId, namespace, service));
            }
            if (service.credentials() != null) {
                workload.setImagePullSecretRef(service.name() + "-registry");
                secrets.add(registrySecret(leaseId, namespace, service.name(), service.credentials()));
            }
            services.add(workload);
        }
        if (services.isEmpty()) {
            throw GatewayError.invalidManifest("deployment: the manifest deploys no service", "deployment");
        }
        refuseNameClashes(services, manifest.ipEndpoints().size());
        IngressHosts.refuseRepeats(services);
        GPUDeploymentSpec spec = new GPUDeploymentSpec();
        spec.setLeaseId(leaseId);
        spec.setServices(services);
        if (!manifest.ipEndpoints().isEmpty()) {
            // The reconciler gives the addresses, from the provider's pool (LeasedIpAllocator).
            spec.setIpEndpoints(manifest.ipEndpoints().stream().map(name -> new LeasedIp(name, null)).toList());
        }
        GPUDeployment deployment = new GPUDeployment();
        deployment.getMetadata().setName(SpheronLease.nameFor(leaseId));
        deployment.getMetadata().setNamespace(namespace);
        deployment.getMetadata().setLabels(LeaseCluster.labels(leaseId));
        deployment.getMetadata().setAnnotations(Map.of(LeaseCluster.MANIFEST_HASH_ANNOTATION,
                manifest.canonicalHash().toLowerCase()));
        deployment.setSpec(spec);
        return new LeaseWorkload(leaseId, manifest.canonicalHash().toLowerCase(), deployment, secrets);
    }

    /**
     * Names the operator derives must not clash: a service {@code web} with global ports gets a Service
     * {@code web-ext}, which a service named {@code web-ext} would need for itself, and Services
     * {@code web-ip-0}, {@code web-ip-1}… for the leased IP endpoints. (The name limits themselves are
     * the parser's, {@link org.openspheron.manifest.ManifestLimits}, shared with the GPUDeployment CRD.)
     */
    private static void refuseNameClashes(List<WorkloadService> services, int ipEndpoints) {
        Set<String> names = new HashSet<>();
        services.forEach(s -> names.add(s.getName()));
        for (WorkloadService service : services) {
            for (int i = 0; i < ipEndpoints; i++) {
                String ipService = WorkloadObjects.leasedIpServiceName(service, i);
                if (names.contains(ipService)) {
                    throw GatewayError.invalidManifest("services." + ipService + ": the name may be taken by a Service that"
                            + " publishes service " + service.getName() + " on a leased IP (" + ipService + "); rename one"
                            + " of them", "services." + ipService);
                }
            }
            String external = WorkloadObjects.externalServiceName(service);
            if (service.getPorts().stream().anyMatch(ExposedPort::isGlobal) && names.contains(external)) {
                throw GatewayError.invalidManifest("services." + external + ": the name is taken by the Service that exposes"
                        + " service " + service.getName() + " (" + external + "); rename one of them", "services." + external);
            }
        }
    }

    private static void refuseBeyondOrder(long leaseId, Manifest manifest, OrderSpec order) {
        ResourceTotals asked = manifest.resources();
        refuseAbove(leaseId, "gpu", asked.gpuCount(), order.gpuCount(), "GPUs");
        refuseAbove(leaseId, "cpu", asked.cpuMilli(), order.cpuMilli(), "millicores of CPU");
        refuseAbove(leaseId, "memory", asked.memoryMb(), order.memoryMb(), "MiB of memory");
        refuseAbove(leaseId, "storage", asked.storageMb(), order.storageMb(), "MiB of storage");
        int ips = manifest.ipEndpoints().size();
        int boughtIps = OrderFeatures.leasedIps(order.features());
        if (ips > boughtIps) {
            throw GatewayError.invalidManifest("the manifest declares " + ips + " ip endpoint" + (ips == 1 ? "" : "s")
                    + "; lease " + leaseId + "'s order bought " + OrderFeatures.leasedIpsText(boughtIps),
                    "endpoints");
        }
    }

    private static void refuseAbove(long leaseId, String resource, long asked, long bought, String unit) {
        if (asked > bought) {
            throw GatewayError.invalidManifest("the manifest asks for " + asked + " " + unit + " over all its replicas; lease "
                    + leaseId + "'s order bought " + bought, "profiles.compute.*.resources." + resource);
        }
    }

    private static WorkloadService service(ServiceSpec service, ComputeProfile profile, int replicas,
            StorageClasses storageClasses) {
        WorkloadService workload = new WorkloadService();
        workload.setName(service.name());
        workload.setImage(service.image());
        workload.setCommand(service.command().isEmpty() ? null : service.command());
        workload.setArgs(service.args().isEmpty() ? null : service.args());
        workload.setEnv(new LinkedHashMap<>());
        workload.setReplicas(replicas);
        workload.setResources(resources(service, profile, storageClasses));
        List<ExposedPort> ports = new ArrayList<>();
        for (int i = 0; i < service.expose().size(); i++) {
            ports.add(port(service.name(), i, service.expose().get(i)));
        }
        workload.setPorts(ports);
        return workload;
    }

    private static ServiceResources resources(ServiceSpec service, ComputeProfile profile, StorageClasses storageClasses) {
        ServiceResources resources = new ServiceResources();
        resources.setCpuMilli(profile.cpuMilli());
        long ephemeralBytes = 0;
        List<StorageVolume> volumes = new ArrayList<>();
        List<RamVolume> ramVolumes = new ArrayList<>();
        boolean shmTaken = service.storage().values().stream().anyMatch(m -> SHM.equals(m.mount()));
        for (int i = 0; i < profile.storage().size(); i++) {
            org.openspheron.manifest.StorageVolume volume = profile.storage().get(i);
            StorageMount mount = service.storage().get(volume.name());
            if (volume.isRam()) {
                if (mount == null && shmTaken) {
                    continue;
                }
                ramVolumes.add(ramVolume(volume, mount == null ? SHM : mount.mount()));
                shmTaken |= mount == null;
            } else if (volume.persistent() && mount != null) {
                volumes.add(volume(volume, mount, storageClasses.of(volume.storageClass(),
                        "profiles.compute." + profile.name() + ".resources.storage[" + i + "].attributes.class")));
            } else {
                // an unmounted persistent volume is of no use to the container; it is sized as scratch space
                ephemeralBytes += volume.sizeBytes();
            }
        }
        resources.setEphemeralStorageMb((ephemeralBytes + MIB - 1) / MIB);
        resources.setVolumes(volumes);
        resources.setRamVolumes(ramVolumes);
        // The order paid for all the profile's ram as memory (Manifest.resources): a ram volume left unmounted above
        // still gives its size to the container, and the totals here stay those of the order.
        long unmountedRamMb = profile.ramMib() - ramVolumes.stream().mapToLong(RamVolume::getSizeMb).sum();
        resources.setMemoryMb(profile.memoryMib() + Math.max(0, unmountedRamMb));
        resources.setGpuCount(profile.gpuUnits());
        if (profile.hasGpu()) {
            resources.setGpuModel(profile.gpus().stream().map(GpuRequirement::model)
                    .filter(m -> m != null).findFirst().orElse(null));
        }
        return resources;
    }

    private static RamVolume ramVolume(org.openspheron.manifest.StorageVolume volume, String mountPath) {
        RamVolume out = new RamVolume();
        out.setName(volume.name());
        out.setSizeMb(Math.max(1, (volume.sizeBytes() + MIB - 1) / MIB));
        out.setMountPath(mountPath);
        return out;
    }

    private static StorageVolume volume(org.openspheron.manifest.StorageVolume volume, StorageMount mount,
            String storageClass) {
        StorageVolume out = new StorageVolume();
        out.setName(volume.name());
        out.setSizeMb(Math.max(1, (volume.sizeBytes() + MIB - 1) / MIB));
        out.setMountPath(mount.mount());
        out.setStorageClass(storageClass);
        return out;
    }

    private static ExposedPort port(String service, int index, Expose expose) {
        ExposedPort port = new ExposedPort();
        port.setPort(expose.port());
        if (expose.as() != expose.port()) {
            port.setAs(expose.as());
        }
        port.setProtocol("UDP".equalsIgnoreCase(expose.proto()) ? ExposedPort.Protocol.UDP : ExposedPort.Protocol.TCP);
        port.setGlobal(expose.global());
        List<String> hosts = new ArrayList<>();
        for (int j = 0; j < expose.accept().size(); j++) {
            hosts.add(IngressHosts.valid(expose.accept().get(j), IngressHosts.field(service, index, j)));
        }
        port.setHosts(hosts.isEmpty() ? null : hosts);
        port.setIpEndpoint(expose.ip());
        return port;
    }

    private static Secret envSecret(long leaseId, String namespace, ServiceSpec service) {
        return new SecretBuilder()
                .withNewMetadata().withName(service.name() + "-env").withNamespace(namespace)
                .withLabels(secretLabels(leaseId, service.name())).endMetadata()
                .withType("Opaque")
                .withImmutable(true)
                .withData(encodeAll(service.env()))
                .build();
    }

    private static Secret registrySecret(long leaseId, String namespace, String service, RegistryCredentials login) {
        String host = login.host() == null || login.host().isBlank() ? "https://index.docker.io/v1/" : login.host();
        Map<String, String> entry = new LinkedHashMap<>();
        entry.put("username", login.username());
        entry.put("password", login.password());
        if (login.email() != null) {
            entry.put("email", login.email());
        }
        entry.put("auth", base64(login.username() + ":" + login.password()));
        String json;
        try {
            json = JSON.writeValueAsString(Map.of("auths", Map.of(host, entry)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode the registry login of service " + service, e);
        }
        return new SecretBuilder()
                .withNewMetadata().withName(service + "-registry").withNamespace(namespace)
                .withLabels(secretLabels(leaseId, service)).endMetadata()
                .withType("kubernetes.io/dockerconfigjson")
                .withImmutable(true)
                .withData(Map.of(".dockerconfigjson", base64(json)))
                .build();
    }

    private static Map<String, String> secretLabels(long leaseId, String service) {
        Map<String, String> labels = LeaseCluster.labels(leaseId);
        labels.put(LeaseCluster.SERVICE_LABEL, service);
        return labels;
    }

    private static Map<String, String> encodeAll(Map<String, String> values) {
        Map<String, String> data = new LinkedHashMap<>();
        values.forEach((k, v) -> data.put(k, base64(v)));
        return data;
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
