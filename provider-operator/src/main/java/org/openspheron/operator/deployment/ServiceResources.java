package org.openspheron.operator.deployment;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import java.util.ArrayList;
import java.util.List;
import org.openspheron.manifest.ManifestLimits;

/** Resources of one replica. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServiceResources {
    @Required
    @Min(1)
    @JsonPropertyDescription("CPU in millicores.")
    private long cpuMilli;

    @Required
    @Min(1)
    @JsonPropertyDescription("Memory in MiB.")
    private long memoryMb;

    @Min(0)
    @JsonPropertyDescription("Ephemeral storage in MiB.")
    private long ephemeralStorageMb;

    @Min(0)
    @Max(ManifestLimits.MAX_GPUS_PER_REPLICA)
    @JsonPropertyDescription("GPUs (nvidia.com/gpu); never overcommitted.")
    private int gpuCount;

    @JsonPropertyDescription("GPU model, matched against the nvidia.com/gpu.product node label (e.g. H100 matches NVIDIA-H100-80GB-HBM3).")
    private String gpuModel;

    @JsonPropertyDescription("Persistent volumes; a service with any runs as a StatefulSet.")
    private List<StorageVolume> volumes = new ArrayList<>();

    @JsonInclude(JsonInclude.Include.NON_EMPTY) // a spec without any stays byte for byte what it was
    @JsonPropertyDescription("Memory-backed volumes (tmpfs, e.g. /dev/shm); their sizes count as memory on top of memoryMb.")
    private List<RamVolume> ramVolumes = new ArrayList<>();

    public long getCpuMilli() { return cpuMilli; }
    public void setCpuMilli(long cpuMilli) { this.cpuMilli = cpuMilli; }
    public long getMemoryMb() { return memoryMb; }
    public void setMemoryMb(long memoryMb) { this.memoryMb = memoryMb; }
    public long getEphemeralStorageMb() { return ephemeralStorageMb; }
    public void setEphemeralStorageMb(long ephemeralStorageMb) { this.ephemeralStorageMb = ephemeralStorageMb; }
    public int getGpuCount() { return gpuCount; }
    public void setGpuCount(int gpuCount) { this.gpuCount = gpuCount; }
    public String getGpuModel() { return gpuModel; }
    public void setGpuModel(String gpuModel) { this.gpuModel = gpuModel; }
    public List<StorageVolume> getVolumes() { return volumes; }
    public void setVolumes(List<StorageVolume> volumes) { this.volumes = volumes; }
    public List<RamVolume> getRamVolumes() { return ramVolumes; }
    public void setRamVolumes(List<RamVolume> ramVolumes) { this.ramVolumes = ramVolumes; }

    /** Memory of the container: {@link #getMemoryMb()} and the memory-backed volumes, which are charged to it. */
    public long containerMemoryMb() {
        return memoryMb + ramVolumes.stream().mapToLong(RamVolume::getSizeMb).sum();
    }
}
