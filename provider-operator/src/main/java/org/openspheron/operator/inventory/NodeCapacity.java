package org.openspheron.operator.inventory;

import org.openspheron.chain.GpuModel;

/**
 * A schedulable node's resources, either all it offers or what is still free.
 *
 * @param gpuModel the identity of its GPUs as a canonical {@link GpuModel} name ({@code A100-80GB-SXM}), empty
 *                 when it sells no whole GPUs (none, not labelled, MIG-sliced or shared: {@link GpuModels})
 * @param gpus     whole GPUs
 * @param storageMb ephemeral storage, {@link Long#MAX_VALUE} when the node does not report it
 */
public record NodeCapacity(String name, String gpuModel, int gpus, long cpuMilli, long memoryMb, long storageMb) {

    NodeCapacity minus(Demand d) {
        boolean sameModel = d.gpus() == 0 || serves(d);
        return new NodeCapacity(name, gpuModel, sameModel ? gpus - d.gpus() : gpus, cpuMilli - d.cpuMilli(),
                memoryMb - d.memoryMb(), storageMb == Long.MAX_VALUE ? storageMb : storageMb - d.storageMb());
    }

    NodeCapacity minusUsage(int usedGpus, long usedCpuMilli, long usedMemoryMb, long usedStorageMb) {
        return new NodeCapacity(name, gpuModel, gpus - usedGpus, cpuMilli - usedCpuMilli, memoryMb - usedMemoryMb,
                storageMb == Long.MAX_VALUE ? storageMb : storageMb - usedStorageMb);
    }

    /** Whether this node's GPUs serve the model {@code d} asks for: its model, or a less specific name of it. */
    private boolean serves(Demand d) {
        return GpuModel.parse(gpuModel).satisfies(GpuModel.parse(d.gpuModel()));
    }

    /** The first check {@code d} fails here, or null when it fits. */
    Shortfall shortfall(Demand d) {
        if (d.gpus() > 0 && !serves(d)) {
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
