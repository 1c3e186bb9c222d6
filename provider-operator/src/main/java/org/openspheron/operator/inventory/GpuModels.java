package org.openspheron.operator.inventory;

import io.fabric8.kubernetes.api.model.Node;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns the {@code nvidia.com/gpu.product} label that GPU feature discovery puts on a node into the short model
 * name orders use, and normalises the names orders carry the same way, so that {@code NVIDIA-A100-SXM4-80GB} on a
 * node serves an order for {@code A100} (or {@code a100}, or {@code NVIDIA-A100}).
 *
 * <p>The rule: upper-case, split on {@code -}, {@code _} and spaces, drop the vendor and family words
 * ({@code NVIDIA}, {@code TESLA}, {@code GEFORCE}); {@code RTX} joins the number after it ({@code RTX-4090} →
 * {@code RTX4090}, {@code RTX-6000-Ada-Generation} → {@code RTX6000ADA}), except before an A-series number
 * ({@code RTX-A6000} → {@code A6000}); the first remaining word is the model. Form factor, memory and interface
 * ({@code SXM4}, {@code 80GB}, {@code PCIE}, {@code HBM3}) are not part of it: an order picks the model, and
 * the label's full text stays available for affinity.
 * <pre>
 *   NVIDIA-A100-SXM4-80GB        A100        NVIDIA-H100-80GB-HBM3       H100
 *   NVIDIA-H100-NVL              H100        NVIDIA-L40S                 L40S
 *   NVIDIA-GeForce-RTX-4090      RTX4090     NVIDIA-RTX-A6000            A6000
 *   Tesla-T4                     T4          NVIDIA-A10G                 A10G
 * </pre>
 */
public final class GpuModels {
    private static final Set<String> NOISE = Set.of("NVIDIA", "TESLA", "GEFORCE", "QUADRO");

    private GpuModels() {
    }

    /** The model token for a product label or an order's model name; empty for null or blank input. */
    public static String normalise(String productOrModel) {
        if (productOrModel == null || productOrModel.isBlank()) {
            return "";
        }
        List<String> words = new ArrayList<>();
        for (String word : productOrModel.trim().toUpperCase(Locale.ROOT).split("[-_\\s]+")) {
            if (!word.isEmpty() && !NOISE.contains(word)) {
                words.add(word);
            }
        }
        if (words.isEmpty()) {
            return "";
        }
        String first = words.get(0);
        if (first.equals("RTX") && words.size() > 1) {
            String number = words.get(1);
            if (number.startsWith("A")) {
                return number;
            }
            boolean ada = words.size() > 2 && words.get(2).equals("ADA");
            return "RTX" + number + (ada ? "ADA" : "");
        }
        return first;
    }

    /** Whether a node's product label and an order's model name denote the same model. */
    public static boolean same(String a, String b) {
        String left = normalise(a);
        return !left.isEmpty() && left.equals(normalise(b));
    }

    /**
     * The {@code nvidia.com/gpu.product} values in the cluster that denote {@code model}: what a pod's node
     * affinity lists (operator {@code In}) so that an order for {@code H100} lands on {@code NVIDIA-H100-80GB-HBM3}.
     */
    public static Set<String> productLabels(String model, Collection<Node> nodes) {
        Set<String> labels = new TreeSet<>();
        for (Node node : nodes) {
            String product = node.getMetadata().getLabels() == null ? null
                    : node.getMetadata().getLabels().get(Inventory.GPU_PRODUCT_LABEL);
            if (product != null && same(product, model)) {
                labels.add(product);
            }
        }
        return labels;
    }
}
