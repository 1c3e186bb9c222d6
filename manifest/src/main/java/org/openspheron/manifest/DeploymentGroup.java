package org.openspheron.manifest;

import java.util.List;

/**
 * One of a manifest's deployment groups as Akash builds it: a placement and the resources ordered in it. Built by
 * {@link DeploymentGroups}.
 */
public record DeploymentGroup(String name, List<Resource> resources) {

    public DeploymentGroup {
        resources = List.copyOf(resources);
    }

    /**
     * What {@code count} replicas each need, at what price per replica.
     *
     * @param id Akash's resource id, counting from 1 within the group
     * @param services the services deployed with it (more than one only when SDL 2.1 merges them)
     * @param cpuMilli thousandths of a CPU per replica
     * @param memoryBytes memory per replica
     * @param gpus one entry per acceptable GPU, in Akash's attribute order; empty without GPUs
     * @param price per block (SDL) or per hour (ICL) and replica, as written
     */
    public record Resource(int id, String profile, List<String> services, int count, long cpuMilli, long memoryBytes,
                           List<Volume> storage, int gpuUnits, List<Gpu> gpus, Price price) {

        public Resource {
            services = List.copyOf(services);
            storage = List.copyOf(storage);
            gpus = List.copyOf(gpus);
        }
    }

    /**
     * A storage volume of a resource.
     *
     * @param storageClass the class Akash records: as written, {@code default} for a persistent volume written
     *     without one, null for an ephemeral volume without one
     */
    public record Volume(String name, long bytes, String storageClass, boolean persistent) {
    }

    /**
     * One acceptable GPU.
     *
     * @param model as written, {@code *} for any model of the vendor
     * @param ram Akash's spelling of the GPU memory asked for, whole GiB ({@code 80Gi}), or null for any
     * @param interfaceType {@code pcie} or {@code sxm}, or null for any
     * @param attribute the key Akash puts in the group's GPU attributes, e.g. {@code vendor/nvidia/model/h100/ram/80Gi}
     */
    public record Gpu(String vendor, String model, String ram, String interfaceType, String attribute) {
    }
}
