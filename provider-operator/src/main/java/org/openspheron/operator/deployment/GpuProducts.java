package org.openspheron.operator.deployment;

import io.fabric8.kubernetes.api.model.Node;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.openspheron.operator.crd.ObjectLabels;

/**
 * Which {@code nvidia.com/gpu.product} label values a model name from an order stands for. Orders say "H100";
 * GPU feature discovery labels nodes "NVIDIA-H100-80GB-HBM3" or "NVIDIA-H100-PCIe". A node's product matches
 * when the model's words appear, in order and as whole words, among the product's words (case-insensitive,
 * split on anything not a letter or digit): "H100" matches both above, "A10" does not match "NVIDIA-A100-SXM4-80GB",
 * and "RTX 4090" matches "NVIDIA-GeForce-RTX-4090". The values come from the nodes actually present, because
 * node affinity can only say "In" a list of exact values.
 */
public final class GpuProducts {
    private GpuProducts() {
    }

    /** The product label values, among {@code nodes}, that {@code model} stands for; sorted, possibly empty. */
    public static SortedSet<String> matching(String model, Collection<Node> nodes) {
        SortedSet<String> values = new TreeSet<>();
        nodes.stream()
                .map(n -> Optional.ofNullable(n.getMetadata().getLabels()).orElse(Map.of()).get(ObjectLabels.GPU_PRODUCT_LABEL))
                .filter(Objects::nonNull)
                .filter(product -> matches(model, product))
                .forEach(values::add);
        return values;
    }

    public static boolean matches(String model, String product) {
        // The bid engine decides by GpuModels' rule (rtx4090 serves NVIDIA-GeForce-RTX-4090): a lease won under that
        // rule must be placeable under this one, or the provider bids on work it can never schedule.
        if (org.openspheron.operator.inventory.GpuModels.same(product, model)) {
            return true;
        }
        List<String> wanted = words(model);
        List<String> offered = words(product);
        if (wanted.isEmpty()) {
            return false;
        }
        for (int start = 0; start + wanted.size() <= offered.size(); start++) {
            if (offered.subList(start, start + wanted.size()).equals(wanted)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> words(String text) {
        return Arrays.stream(text.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")).filter(w -> !w.isEmpty()).toList();
    }
}
