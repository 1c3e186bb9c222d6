package org.openspheron.manifest;

import java.util.List;
import java.util.Map;

/**
 * What one replica needs ({@code profiles.compute.<name>}).
 *
 * @param cpuMilli thousandths of a CPU
 * @param gpuUnits GPUs per replica; 0 when none
 * @param gpus acceptable GPU models, any of which will do; empty with {@code gpuUnits > 0} never happens (a vendor
 *     is required), a requirement with a null model means any model of that vendor
 * @param cpuAttributes free-form CPU attributes (e.g. {@code arch})
 */
public record ComputeProfile(
        String name,
        long cpuMilli,
        long memoryBytes,
        List<StorageVolume> storage,
        int gpuUnits,
        List<GpuRequirement> gpus,
        Map<String, String> cpuAttributes) {

    public static final long MIB = 1024L * 1024;

    public ComputeProfile {
        storage = List.copyOf(storage);
        gpus = List.copyOf(gpus);
        cpuAttributes = Map.copyOf(cpuAttributes);
    }

    /** Memory in MiB, rounded up. */
    public long memoryMib() {
        return (memoryBytes + MIB - 1) / MIB;
    }

    /**
     * The sizes of all volumes but {@code class: ram} ones in MiB, rounded up: what the replica takes of its node's
     * disks. A ram volume is memory (a tmpfs the container's memory limit is charged for), see {@link #ramMib()}.
     */
    public long storageMib() {
        long bytes = storage.stream().filter(v -> !v.isRam()).mapToLong(StorageVolume::sizeBytes).sum();
        return (bytes + MIB - 1) / MIB;
    }

    /**
     * The sizes of the {@code class: ram} volumes in MiB, each rounded up: memory on top of {@link #memoryMib()}.
     * Each on its own, as each becomes a volume of whole MiB that the container's memory must hold.
     */
    public long ramMib() {
        return storage.stream().filter(StorageVolume::isRam).mapToLong(v -> (v.sizeBytes() + MIB - 1) / MIB).sum();
    }

    public boolean hasGpu() {
        return gpuUnits > 0;
    }

    /** The volume named {@code name} ({@code default} for an unnamed one), or null. */
    public StorageVolume volume(String name) {
        return storage.stream().filter(v -> v.name().equals(name)).findFirst().orElse(null);
    }
}
