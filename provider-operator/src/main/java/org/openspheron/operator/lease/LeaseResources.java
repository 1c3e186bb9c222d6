package org.openspheron.operator.lease;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** The resources an order asked for, as the chain records them. */
public class LeaseResources {
    @Required
    @Min(1)
    @JsonPropertyDescription("CPU in millicores.")
    private long cpuMilli;

    @Required
    @Min(1)
    @JsonPropertyDescription("Memory in MiB.")
    private long memoryMb;

    @Min(0)
    @JsonPropertyDescription("Ephemeral plus persistent storage in MiB.")
    private long storageMb;

    @Min(0)
    @JsonPropertyDescription("GPUs of gpuModel.")
    private int gpuCount;

    @JsonPropertyDescription("GPU model, e.g. H100 or A100 (matched against nvidia.com/gpu.product).")
    private String gpuModel;

    public LeaseResources() {
    }

    public LeaseResources(long cpuMilli, long memoryMb, long storageMb, int gpuCount, String gpuModel) {
        this.cpuMilli = cpuMilli;
        this.memoryMb = memoryMb;
        this.storageMb = storageMb;
        this.gpuCount = gpuCount;
        this.gpuModel = gpuModel;
    }

    public long getCpuMilli() { return cpuMilli; }
    public void setCpuMilli(long cpuMilli) { this.cpuMilli = cpuMilli; }
    public long getMemoryMb() { return memoryMb; }
    public void setMemoryMb(long memoryMb) { this.memoryMb = memoryMb; }
    public long getStorageMb() { return storageMb; }
    public void setStorageMb(long storageMb) { this.storageMb = storageMb; }
    public int getGpuCount() { return gpuCount; }
    public void setGpuCount(int gpuCount) { this.gpuCount = gpuCount; }
    public String getGpuModel() { return gpuModel; }
    public void setGpuModel(String gpuModel) { this.gpuModel = gpuModel; }
}
