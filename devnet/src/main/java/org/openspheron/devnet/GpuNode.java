package org.openspheron.devnet;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A hollow node of a dev cluster with what the NVIDIA device plugin and GPU feature discovery would advertise: the
 * {@code nvidia.com/gpu} extended resource and the {@code nvidia.com/gpu.*} labels; {@code gpus = 0} is a CPU-only
 * node. A tainted node carries {@code nvidia.com/gpu=present:NoSchedule}, as GPU node pools usually do.
 *
 * @param product the {@code nvidia.com/gpu.product} label, e.g. {@code NVIDIA-A100-SXM4-80GB}
 * @param labels  more node labels (e.g. {@code nvidia.com/mig.strategy}, {@code nvidia.com/gpu.replicas})
 */
public record GpuNode(String name, String product, int gpus, int cpuCores, int memoryGi, String zone, boolean tainted,
                      Map<String, String> labels) {
    private static final Pattern MEMORY_GB = Pattern.compile("(\\d+)GB");

    public GpuNode {
        labels = Map.copyOf(labels);
    }

    public GpuNode(String name, String product, int gpus, int cpuCores, int memoryGi, String zone) {
        this(name, product, gpus, cpuCores, memoryGi, zone, false, Map.of());
    }

    /** This node with the GPU taint. */
    public GpuNode withTaint() {
        return new GpuNode(name, product, gpus, cpuCores, memoryGi, zone, true, labels);
    }

    /** This node with one more label. */
    public GpuNode withLabel(String key, String value) {
        Map<String, String> more = new LinkedHashMap<>(labels);
        more.put(key, value);
        return new GpuNode(name, product, gpus, cpuCores, memoryGi, zone, tainted, more);
    }

    /** GPU memory in MiB as GPU feature discovery reports it, from the product name (80GB) or 24 GiB. */
    public int gpuMemoryMiB() {
        Matcher m = MEMORY_GB.matcher(product == null ? "" : product);
        return m.find() ? Integer.parseInt(m.group(1)) * 1024 : 24 * 1024;
    }

    /** The node as {@code bin/spheron-k8s up} takes it: {@code NAME,key=value,...}. */
    String spec() {
        StringBuilder spec = new StringBuilder(name).append(",gpus=").append(gpus)
                .append(",cpus=").append(cpuCores)
                .append(",memory=").append((long) memoryGi << 30);
        if (gpus > 0) {
            spec.append(",product=").append(product).append(",gpu-memory=").append(gpuMemoryMiB());
        }
        if (tainted) {
            spec.append(",taint");
        }
        Map<String, String> all = new LinkedHashMap<>();
        if (zone != null && !zone.isBlank()) {
            all.put("topology.kubernetes.io/zone", zone);
        }
        all.putAll(labels);
        if (!all.isEmpty()) {
            spec.append(",labels=").append(all.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(";")));
        }
        return spec.toString();
    }
}
