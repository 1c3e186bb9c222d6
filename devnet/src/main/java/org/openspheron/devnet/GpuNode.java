package org.openspheron.devnet;

/**
 * A fake GPU node of a dev cluster: what the NVIDIA device plugin and GPU feature discovery would advertise.
 *
 * @param product the {@code nvidia.com/gpu.product} label, e.g. {@code NVIDIA-A100-SXM4-80GB}
 */
public record GpuNode(String name, String product, int gpus, int cpuCores, int memoryGi, String zone) {
}
