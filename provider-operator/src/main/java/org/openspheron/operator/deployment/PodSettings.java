package org.openspheron.operator.deployment;

import java.util.Optional;
import org.openspheron.operator.inventory.PodTolerations;

/**
 * What the provider's settings say about every tenant pod, whatever the manifest.
 *
 * @param runAsNonRoot set {@code runAsNonRoot} (the restricted Pod Security Standard is enforced)
 * @param tolerations the taints pods tolerate
 * @param gpuRuntimeClass the RuntimeClass of pods that request GPUs, or empty for the node's default runtime. Only
 *     GPU pods get it: under NVIDIA's runtime a container that requests no GPU, and so gets no
 *     {@code NVIDIA_VISIBLE_DEVICES} from the device plugin, is given what its image says, and every CUDA base
 *     image says {@code all}: a CPU-only pod would see every GPU of its node, those other tenants hold too.
 */
public record PodSettings(boolean runAsNonRoot, PodTolerations tolerations, Optional<String> gpuRuntimeClass) {
}
