package org.openspheron.operator;

import java.util.List;
import java.util.Map;
import org.openspheron.operator.deployment.ExposedPort;
import org.openspheron.operator.deployment.GPUDeployment;
import org.openspheron.operator.deployment.GPUDeploymentSpec;
import org.openspheron.operator.deployment.ServiceResources;
import org.openspheron.operator.deployment.StorageVolume;
import org.openspheron.operator.deployment.WorkloadService;
import org.openspheron.operator.lease.LeaseResources;
import org.openspheron.operator.lease.SpheronLease;
import org.openspheron.operator.lease.SpheronLeaseSpec;

/** Builders for the custom resources tests apply, so each test shows only what it is about. */
public final class Manifests {
    public static final String TENANT = "0x00000000000000000000000000000000000000aA";
    public static final String PROVIDER = "0x00000000000000000000000000000000000000bB";

    private Manifests() {
    }

    public static WorkloadService service(String name, String image, int gpus, String model, int... globalPorts) {
        WorkloadService service = new WorkloadService();
        service.setName(name);
        service.setImage(image);
        ServiceResources resources = new ServiceResources();
        resources.setCpuMilli(2000);
        resources.setMemoryMb(8192);
        resources.setEphemeralStorageMb(1024);
        resources.setGpuCount(gpus);
        resources.setGpuModel(model);
        service.setResources(resources);
        for (int p : globalPorts) {
            ExposedPort port = new ExposedPort();
            port.setPort(p);
            service.getPorts().add(port);
        }
        return service;
    }

    public static WorkloadService withVolume(WorkloadService service, String name, long sizeMb, String mountPath) {
        StorageVolume volume = new StorageVolume();
        volume.setName(name);
        volume.setSizeMb(sizeMb);
        volume.setMountPath(mountPath);
        service.getResources().getVolumes().add(volume);
        return service;
    }

    public static GPUDeployment deployment(String namespace, String name, Long leaseId, WorkloadService... services) {
        GPUDeployment deployment = new GPUDeployment();
        deployment.getMetadata().setName(name);
        deployment.getMetadata().setNamespace(namespace);
        GPUDeploymentSpec spec = new GPUDeploymentSpec();
        spec.setLeaseId(leaseId);
        spec.setServices(List.of(services));
        deployment.setSpec(spec);
        return deployment;
    }

    public static SpheronLease lease(long id, LeaseResources resources) {
        SpheronLease lease = new SpheronLease();
        lease.getMetadata().setName(SpheronLease.nameFor(id));
        SpheronLeaseSpec spec = new SpheronLeaseSpec();
        spec.setLeaseId(id);
        spec.setOrderId(id + 100);
        spec.setTenant(TENANT);
        spec.setProvider(PROVIDER);
        spec.setPricePerHour("2500000");
        spec.setManifestHash("0x" + "ab".repeat(32));
        spec.setResources(resources);
        lease.setSpec(spec);
        return lease;
    }

    public static Map<String, String> env(String... keyValues) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            env.put(keyValues[i], keyValues[i + 1]);
        }
        return env;
    }
}
