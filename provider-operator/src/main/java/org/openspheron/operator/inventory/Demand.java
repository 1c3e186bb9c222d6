package org.openspheron.operator.inventory;

import org.openspheron.chain.GpuModel;
import org.openspheron.chain.OrderSpec;

/**
 * What one order needs from the cluster. An order is placed whole on one node: its GPUs must share a node anyway
 * (a pod's devices come from one kubelet), and keeping its CPU and memory beside them is what lets the
 * reconciler schedule it as asked.
 *
 * @param gpuModel the GPU model asked for as a canonical {@link GpuModel} name ({@code A100}, {@code A100-80GB},
 *                 {@code H100-SXM}): a node serves it with that model or a bigger, more specific one; empty when
 *                 no GPUs are asked for
 */
public record Demand(String gpuModel, int gpus, long cpuMilli, long memoryMb, long storageMb) {
    public Demand {
        gpuModel = GpuModel.parse(gpuModel).name();
        if (gpus < 0 || cpuMilli < 0 || memoryMb < 0 || storageMb < 0) {
            throw new IllegalArgumentException("a demand cannot be negative: " + gpus + " GPUs, " + cpuMilli
                    + "m CPU, " + memoryMb + " MiB memory, " + storageMb + " MiB storage");
        }
    }

    public static Demand of(OrderSpec spec) {
        return new Demand(spec.gpuCount() == 0 ? "" : spec.gpuModel(), spec.gpuCount(), spec.cpuMilli(),
                spec.memoryMb(), spec.storageMb());
    }

    /** What is left of this demand once {@code used} of it runs (each resource at least zero). */
    public Demand less(Demand used) {
        return new Demand(gpuModel, Math.max(0, gpus - used.gpus()), Math.max(0, cpuMilli - used.cpuMilli()),
                Math.max(0, memoryMb - used.memoryMb()), Math.max(0, storageMb - used.storageMb()));
    }

    @Override
    public String toString() {
        return (gpus > 0 ? gpus + "x" + gpuModel + ", " : "") + cpuMilli + "m CPU, " + memoryMb + " MiB, "
                + storageMb + " MiB storage";
    }
}
