package org.openspheron.operator.inventory;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Arrays;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.openspheron.chain.GpuModel;

/**
 * What a node's GPUs are, read from the labels NVIDIA's GPU feature discovery puts on it, and how many of them may
 * be sold as whole GPUs. A pure function of the Node object.
 *
 * <p><b>Identity</b>: base model, memory and interface ({@link GpuModel}) from {@code nvidia.com/gpu.product}, the
 * memory from {@code nvidia.com/gpu.memory} (MiB, rounded to GB) where present. {@code NVIDIA-A100-SXM4-80GB} with
 * {@code gpu.memory=81920} is {@code A100-80GB-SXM}, and serves orders for {@code A100}, {@code A100-80GB},
 * {@code A100-SXM}.
 *
 * <p><b>Whole GPUs only.</b> An order buys GPUs for itself; a node sells none when {@code nvidia.com/gpu} counts
 * something smaller:
 * <ul>
 * <li>MIG slices: the product names a MIG profile ({@code …-MIG-1g.10gb}) or GFD labels slices
 * ({@code nvidia.com/gpu.slices.gi}), as it does with {@code nvidia.com/mig.strategy=single} on MIG-enabled GPUs.
 * The strategy label alone decides nothing: NVIDIA's GPU Operator labels {@code single} on every node by default,
 * also where MIG is off and the GPUs are whole. With {@code mixed}, MIG slices are advertised as
 * {@code nvidia.com/mig-<profile>} and {@code nvidia.com/gpu} counts only the GPUs with MIG off, which are whole:
 * those are sold;</li>
 * <li>time-slicing or MPS: the product ends in {@code -SHARED}, {@code nvidia.com/gpu.replicas} is above 1, or
 * {@code nvidia.com/gpu.sharing-strategy} is set to anything but {@code none};</li>
 * <li>anything else that advertises more {@code nvidia.com/gpu} than the node has GPUs ({@code gpu.count}).</li>
 * </ul>
 */
public final class GpuModels {
    public static final String PRODUCT_LABEL = Inventory.GPU_PRODUCT_LABEL;
    public static final String MEMORY_LABEL = "nvidia.com/gpu.memory";
    public static final String COUNT_LABEL = "nvidia.com/gpu.count";
    public static final String REPLICAS_LABEL = "nvidia.com/gpu.replicas";
    public static final String SHARING_LABEL = "nvidia.com/gpu.sharing-strategy";
    public static final String MIG_STRATEGY_LABEL = "nvidia.com/mig.strategy";
    static final String MIG_SLICES_LABEL = "nvidia.com/gpu.slices.gi";

    private GpuModels() {
    }

    /**
     * A node's GPUs.
     *
     * @param model what they are; empty on a node without GPUs or without a product label
     * @param product the {@code nvidia.com/gpu.product} label, null when absent
     * @param advertised {@code allocatable[nvidia.com/gpu]}
     * @param whole how many may be sold whole: {@code advertised}, or 0 when {@code notWhole} says why not
     * @param notWhole why the advertised GPUs are not whole GPUs, null when they are
     */
    public record NodeGpus(GpuModel model, String product, int advertised, int whole, String notWhole) {
        public boolean sold() {
            return whole > 0 && !model.isEmpty();
        }
    }

    /** The base model of a product label or an order's model name ({@link GpuModel#baseOf}); empty for blank input. */
    public static String normalise(String productOrModel) {
        return GpuModel.baseOf(productOrModel);
    }

    /** Whether two names denote the same base model. */
    public static boolean same(String a, String b) {
        String left = normalise(a);
        return !left.isEmpty() && left.equals(normalise(b));
    }

    /** What {@code node}'s GPUs are and how many are sold whole. */
    public static NodeGpus of(Node node) {
        Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
        Map<String, Quantity> allocatable = node.getStatus() == null || node.getStatus().getAllocatable() == null
                ? Map.of() : node.getStatus().getAllocatable();
        Quantity q = allocatable.get(Inventory.GPU_RESOURCE);
        int advertised = q == null ? 0 : Quantity.getAmountInBytes(q).intValue();
        String product = labels.get(PRODUCT_LABEL);
        GpuModel named = GpuModel.parse(product);
        int memoryGb = memoryGb(labels.get(MEMORY_LABEL));
        GpuModel model = memoryGb > 0 ? new GpuModel(named.base(), memoryGb, named.iface()) : named;
        String notWhole = advertised == 0 ? null : notWhole(product, labels, advertised);
        return new NodeGpus(model, product, advertised, notWhole == null ? advertised : 0, notWhole);
    }

    private static String notWhole(String product, Map<String, String> labels, int advertised) {
        Set<String> words = product == null ? Set.of()
                : Set.copyOf(Arrays.asList(product.toUpperCase(Locale.ROOT).split("[-_\\s]+")));
        if (words.contains("MIG") || labels.containsKey(MIG_SLICES_LABEL)) {
            return "MIG slices (" + PRODUCT_LABEL + "=" + product + ", " + MIG_STRATEGY_LABEL + "="
                    + labels.getOrDefault(MIG_STRATEGY_LABEL, "unset") + ")";
        }
        if (words.contains("SHARED")) {
            return "shared GPUs (" + PRODUCT_LABEL + "=" + product + ")";
        }
        int replicas = number(labels.get(REPLICAS_LABEL));
        if (replicas > 1) {
            return "shared GPUs (" + REPLICAS_LABEL + "=" + replicas + ")";
        }
        String sharing = labels.get(SHARING_LABEL);
        if (sharing != null && !sharing.isBlank() && !sharing.equalsIgnoreCase("none")) {
            return "shared GPUs (" + SHARING_LABEL + "=" + sharing + ")";
        }
        int count = number(labels.get(COUNT_LABEL));
        if (count > 0 && advertised > count) {
            return Inventory.GPU_RESOURCE + " " + advertised + " exceeds the " + count + " GPUs of " + COUNT_LABEL;
        }
        return null;
    }

    /** MiB as GFD reports them, to whole GB: an 80 GB part reports 81559 or 81920. */
    private static int memoryGb(String mib) {
        int value = number(mib);
        return value <= 0 ? 0 : Math.round(value / 1024f);
    }

    private static int number(String text) {
        if (text == null) {
            return 0;
        }
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * The {@code nvidia.com/gpu.product} values of the nodes that sell whole GPUs serving {@code required} (any
     * model when blank): what a pod's node affinity lists (operator {@code In}), so that an order for {@code H100}
     * lands on {@code NVIDIA-H100-80GB-HBM3} and never on a MIG or time-sliced node.
     */
    public static Set<String> productLabels(String required, Collection<Node> nodes) {
        GpuModel requirement = GpuModel.parse(required);
        Set<String> labels = new TreeSet<>();
        for (Node node : nodes) {
            NodeGpus gpus = of(node);
            if (gpus.sold() && gpus.product() != null
                    && (requirement.isEmpty() || gpus.model().satisfies(requirement))) {
                labels.add(gpus.product());
            }
        }
        return labels;
    }
}
