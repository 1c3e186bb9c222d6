package org.openspheron.manifest;

/**
 * Everything a manifest asks for, over all deployments and replicas: what an order on chain carries.
 *
 * @param memoryMb memory, {@code class: ram} volumes included
 * @param storageMb ephemeral and persistent storage, {@code class: ram} volumes not included
 * @param gpuModel the first model asked for by the first GPU profile, with its memory and interface when the
 *                 manifest names them ({@link GpuRequirement#orderModel()}: {@code a100-80GB}), or empty when none
 *                 or any model
 */
public record ResourceTotals(long cpuMilli, long memoryMb, long storageMb, int gpuCount, String gpuModel) {
}
