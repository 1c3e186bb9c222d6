package org.openspheron.operator.inventory;

/**
 * A schedulable node's resources, either all it offers or what is still free.
 *
 * @param gpuModel the model token of its GPUs ({@link GpuModels#normalise} of {@code nvidia.com/gpu.product}),
 *                 empty when it has none or is not labelled
 * @param storageMb ephemeral storage, {@link Long#MAX_VALUE} when the node does not report it
 */
public record NodeCapacity(String name, String gpuModel, int gpus, long cpuMilli, long memoryMb, long storageMb) {

    NodeCapacity minus(Demand d) {
        boolean sameModel = d.gpus() == 0 || d.gpuModel().equals(gpuModel);
        return new NodeCapacity(name, gpuModel, sameModel ? gpus - d.gpus() : gpus, cpuMilli - d.cpuMilli(),
                memoryMb - d.memoryMb(), storageMb == Long.MAX_VALUE ? storageMb : storageMb - d.storageMb());
    }

    NodeCapacity minusUsage(int usedGpus, long usedCpuMilli, long usedMemoryMb, long usedStorageMb) {
        return new NodeCapacity(name, gpuModel, gpus - usedGpus, cpuMilli - usedCpuMilli, memoryMb - usedMemoryMb,
                storageMb == Long.MAX_VALUE ? storageMb : storageMb - usedStorageMb);
    }

    /** The first check {@code d} fails here, or null when it fits. */
    Shortfall shortfall(Demand d) {
        if (d.gpus() > 0 && !d.gpuModel().equals(gpuModel)) {
            return Shortfall.NO_SUCH_MODEL;
        }
        if (d.gpus() > gpus) {
            return Shortfall.GPUS;
        }
        if (d.cpuMilli() > cpuMilli) {
            return Shortfall.CPU;
        }
        if (d.memoryMb() > memoryMb) {
            return Shortfall.MEMORY;
        }
        if (d.storageMb() > storageMb) {
            return Shortfall.STORAGE;
        }
        return null;
    }
}
