package org.openspheron.operator.gateway;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The provider's GPUs as the cluster shows them: per GPU product (the {@code nvidia.com/gpu.product} label that
 * GPU feature discovery sets), the nodes' allocatable {@code nvidia.com/gpu} and what running pods' limits leave of
 * it. A deliberately small view for the gateway's {@code /status}; the bidding side keeps a fuller inventory.
 */
final class GpuInventory {
    static final String GPU_RESOURCE = "nvidia.com/gpu";
    static final String GPU_PRODUCT_LABEL = "nvidia.com/gpu.product";

    /** GPUs of one product: the short model users order by (H100), the full product label, and counts. */
    record GpuAvailability(String model, String product, int total, int available) {
    }

    private final KubernetesClient client;

    GpuInventory(KubernetesClient client) {
        this.client = client;
    }

    List<GpuAvailability> gpus() {
        Map<String, String> productOfNode = new HashMap<>();
        Map<String, int[]> totalAndUsed = new TreeMap<>();
        for (Node node : client.nodes().list().getItems()) {
            int allocatable = gpus(node.getStatus() == null ? null : node.getStatus().getAllocatable());
            String product = node.getMetadata().getLabels() == null ? null
                    : node.getMetadata().getLabels().get(GPU_PRODUCT_LABEL);
            if (allocatable <= 0 || product == null) {
                continue;
            }
            productOfNode.put(node.getMetadata().getName(), product);
            totalAndUsed.computeIfAbsent(product, p -> new int[2])[0] += allocatable;
        }
        for (Pod pod : client.pods().inAnyNamespace().list().getItems()) {
            String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
            String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
            if (node == null || !productOfNode.containsKey(node) || "Succeeded".equals(phase) || "Failed".equals(phase)) {
                continue;
            }
            totalAndUsed.get(productOfNode.get(node))[1] += gpuLimits(pod);
        }
        List<GpuAvailability> out = new ArrayList<>();
        totalAndUsed.forEach((product, counts) ->
                out.add(new GpuAvailability(model(product), product, counts[0], Math.max(0, counts[0] - counts[1]))));
        return out;
    }

    /**
     * The model name an order uses for a product label: vendor prefix and memory or form-factor suffixes dropped
     * ({@code NVIDIA-H100-80GB-HBM3} is {@code H100}, {@code NVIDIA-GeForce-RTX-4090} is {@code GeForce-RTX-4090}).
     */
    static String model(String product) {
        String rest = product.replaceFirst("(?i)^(NVIDIA|Tesla)[- ]", "").replaceFirst("(?i)^Tesla[- ]", "");
        List<String> kept = new ArrayList<>();
        for (String part : rest.split("[- ]")) {
            if (part.toUpperCase(Locale.ROOT).matches("\\d+GB|SXM\\d*|PCIE|HBM\\d*E?|NVL|MIG.*") && !kept.isEmpty()) {
                break;
            }
            kept.add(part);
        }
        return String.join("-", kept);
    }

    private static int gpuLimits(Pod pod) {
        int sum = 0;
        for (Container container : pod.getSpec().getContainers()) {
            if (container.getResources() != null) {
                int limit = gpus(container.getResources().getLimits());
                sum += limit > 0 ? limit : gpus(container.getResources().getRequests());
            }
        }
        return sum;
    }

    private static int gpus(Map<String, Quantity> resources) {
        if (resources == null || !resources.containsKey(GPU_RESOURCE)) {
            return 0;
        }
        return resources.get(GPU_RESOURCE).getNumericalAmount().intValue();
    }
}
