package org.openspheron.operator.inventory;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.openspheron.chain.GpuModel;
import org.openspheron.chain.GpuOffer;

/**
 * The cluster's GPUs, CPU, memory and storage per node: what its schedulable, ready nodes allocate, less what
 * running pods request, less what open bids and won leases have claimed. Immutable; a pure function of the
 * Kubernetes objects it was built from, so every rule here is testable without an API server.
 */
public final class Inventory {
    public static final String GPU_RESOURCE = "nvidia.com/gpu";
    public static final String GPU_PRODUCT_LABEL = "nvidia.com/gpu.product";

    private static final BigDecimal MIB = BigDecimal.valueOf(1024L * 1024L);

    private final Map<String, NodeCapacity> allocatable;
    private final Map<String, NodeCapacity> free;
    private final Map<String, Demand> usedByNamespace;
    private final Map<String, Set<String>> gpuProducts;
    /** Nodes whose taints only GPU pods tolerate (a GPU node pool): no place for an order without GPUs. */
    private final Set<String> gpuPodsOnly;
    /** The labels of the schedulable nodes, for placements a node selector restricts. */
    private final Map<String, Map<String, String>> labels;

    private Inventory(Map<String, NodeCapacity> allocatable, Map<String, NodeCapacity> free, Map<String, Demand> usedByNamespace,
                      Map<String, Set<String>> gpuProducts, Set<String> gpuPodsOnly, Map<String, Map<String, String>> labels) {
        this.labels = labels;
        this.gpuPodsOnly = gpuPodsOnly;
        this.allocatable = allocatable;
        this.free = free;
        this.usedByNamespace = usedByNamespace;
        this.gpuProducts = gpuProducts;
    }

    /**
     * Builds the inventory from the cluster's nodes and pods. Nodes that are cordoned or not Ready offer nothing;
     * pods that finished (Succeeded, Failed) or are not bound to a node hold nothing.
     */
    public static Inventory of(Collection<Node> nodes, Collection<Pod> pods) {
        return of(nodes, pods, PodTolerations.DEFAULT);
    }

    /**
     * The same, counting a node only for the pods that tolerate its taints ({@code tolerations}): a node no pod of
     * the operator tolerates offers nothing; one only GPU pods tolerate offers nothing to orders without GPUs.
     */
    public static Inventory of(Collection<Node> nodes, Collection<Pod> pods, PodTolerations tolerations) {
        Map<String, NodeCapacity> allocatable = new TreeMap<>();
        Map<String, Set<String>> gpuProducts = new TreeMap<>();
        Set<String> gpuPodsOnly = new HashSet<>();
        Map<String, Map<String, String>> labels = new HashMap<>();
        for (Node node : nodes) {
            // GPU pods tolerate all that other pods do, and the GPU taint
            if (!tolerations.admits(node, true)) {
                continue;
            }
            if (!tolerations.admits(node, false)) {
                gpuPodsOnly.add(node.getMetadata().getName());
            }
            if (schedulable(node)) {
                NodeCapacity capacity = capacityOf(node);
                allocatable.put(node.getMetadata().getName(), capacity);
                labels.put(node.getMetadata().getName(), node.getMetadata().getLabels() == null ? Map.of()
                        : Map.copyOf(node.getMetadata().getLabels()));
                if (capacity.gpus() > 0) {
                    gpuProducts.computeIfAbsent(GpuModel.baseOf(capacity.gpuModel()), m -> new TreeSet<>())
                            .add(node.getMetadata().getLabels().get(GPU_PRODUCT_LABEL));
                }
            }
        }
        Map<String, NodeCapacity> free = new TreeMap<>(allocatable);
        Map<String, Demand> used = new HashMap<>();
        for (Pod pod : pods) {
            if (!holdsResources(pod)) {
                continue;
            }
            int gpus = (int) podTotal(pod, GPU_RESOURCE, true).longValue();
            long cpu = podTotal(pod, "cpu", false).movePointRight(3).longValue();
            long memory = podTotal(pod, "memory", false).divide(MIB, java.math.RoundingMode.CEILING).longValue();
            long storage = podTotal(pod, "ephemeral-storage", false).divide(MIB, java.math.RoundingMode.CEILING).longValue();
            used.merge(pod.getMetadata().getNamespace(), new Demand("", gpus, cpu, memory, storage),
                    (a, b) -> new Demand("", a.gpus() + b.gpus(), a.cpuMilli() + b.cpuMilli(), a.memoryMb() + b.memoryMb(),
                            a.storageMb() + b.storageMb()));
            free.computeIfPresent(pod.getSpec().getNodeName(), (name, capacity) -> capacity.minusUsage(gpus, cpu, memory, storage));
        }
        return new Inventory(allocatable, free, used, gpuProducts, gpuPodsOnly, labels);
    }

    /** This inventory with {@code claims} taken from their nodes (claims on unknown or no nodes take nothing). */
    public Inventory minus(Collection<Claim> claims) {
        Map<String, NodeCapacity> left = new TreeMap<>(free);
        for (Claim claim : claims) {
            if (claim.node() != null) {
                left.computeIfPresent(claim.node(), (name, capacity) -> capacity.minus(claim.demand()));
            }
        }
        return new Inventory(allocatable, left, usedByNamespace, gpuProducts, gpuPodsOnly, labels);
    }

    /**
     * This inventory on the nodes whose labels hold every entry of {@code nodeSelector} only (all of them for an
     * empty one): where pods of a RuntimeClass with that scheduling can go.
     */
    public Inventory onNodesLabelled(Map<String, String> nodeSelector) {
        if (nodeSelector.isEmpty()) {
            return this;
        }
        java.util.function.Predicate<String> matches = node -> labels.getOrDefault(node, Map.of()).entrySet()
                .containsAll(nodeSelector.entrySet());
        Map<String, NodeCapacity> all = new TreeMap<>();
        allocatable.forEach((node, capacity) -> { if (matches.test(node)) all.put(node, capacity); });
        Map<String, NodeCapacity> left = new TreeMap<>();
        free.forEach((node, capacity) -> { if (matches.test(node)) left.put(node, capacity); });
        return new Inventory(all, left, usedByNamespace, gpuProducts, gpuPodsOnly, labels);
    }

    /** Whether no node is left to place on (e.g. none has the labels {@link #onNodesLabelled} asked). */
    public boolean hasNoNodes() {
        return free.isEmpty();
    }

    /** Whether {@code demand} fits in what {@code node} has left (false for a node not schedulable or unknown). */
    public boolean fitsOn(String node, Demand demand) {
        NodeCapacity capacity = free.get(node);
        return capacity != null && shortfall(capacity, demand) == null;
    }

    /** Why {@code demand} does not fit in what {@code node} has left; null when it fits. */
    private Shortfall shortfall(NodeCapacity node, Demand demand) {
        return demand.gpus() == 0 && gpuPodsOnly.contains(node.name()) ? Shortfall.NO_SUCH_MODEL : node.shortfall(demand);
    }

    /**
     * The node that should take {@code demand}: of the nodes where it fits, the one left with the fewest free
     * GPUs (so whole nodes stay free for large orders), then by name so every run chooses alike.
     */
    public Placement place(Demand demand) {
        Shortfall furthest = null;
        List<NodeCapacity> fitting = new ArrayList<>();
        for (NodeCapacity node : free.values()) {
            Shortfall shortfall = shortfall(node, demand);
            if (shortfall == null) {
                fitting.add(node);
            } else if (furthest == null || shortfall.ordinal() > furthest.ordinal()) {
                furthest = shortfall;
            }
        }
        if (fitting.isEmpty()) {
            return new Placement.Nowhere(furthest == null ? Shortfall.NO_SUCH_MODEL : furthest);
        }
        fitting.sort(Comparator.comparingInt(NodeCapacity::gpus).thenComparing(NodeCapacity::name));
        return new Placement.OnNode(fitting.get(0).name());
    }

    /**
     * Whole GPUs per base model ({@code A100}, whatever their memory and interface): how many the cluster has and how
     * many are free, as the provider registry records them. MIG slices and shared GPUs are not counted
     * ({@link GpuModels}).
     */
    public List<GpuOffer> gpuOffers() {
        Map<String, int[]> perModel = new TreeMap<>();
        for (NodeCapacity node : allocatable.values()) {
            if (node.gpus() > 0 && !node.gpuModel().isEmpty()) {
                int freeGpus = Math.max(0, Math.min(node.gpus(), free.get(node.name()).gpus()));
                int[] counts = perModel.computeIfAbsent(GpuModel.baseOf(node.gpuModel()), m -> new int[2]);
                counts[0] += node.gpus();
                counts[1] += freeGpus;
            }
        }
        List<GpuOffer> offers = new ArrayList<>();
        perModel.forEach((model, counts) -> offers.add(new GpuOffer(model, counts[0], counts[1])));
        return offers;
    }

    /** The {@code nvidia.com/gpu.product} labels of the schedulable nodes selling whole GPUs of {@code model}'s base model, sorted. */
    public Set<String> gpuProducts(String model) {
        return gpuProducts.getOrDefault(GpuModels.normalise(model), Set.of());
    }

    /** Free whole GPUs that serve the requirement {@code model} ({@code A100}, {@code A100-80GB}) across all nodes. */
    public int freeGpus(String model) {
        GpuModel required = GpuModel.parse(model);
        return free.values().stream().filter(n -> GpuModel.parse(n.gpuModel()).satisfies(required))
                .mapToInt(n -> Math.max(0, n.gpus())).sum();
    }

    /** What each schedulable node has left. */
    public Map<String, NodeCapacity> free() {
        return new LinkedHashMap<>(free);
    }

    /** What each schedulable node offers in all. */
    public Map<String, NodeCapacity> allocatable() {
        return new LinkedHashMap<>(allocatable);
    }

    /** Whether some pod that holds resources runs in {@code namespace} (a lease's pods are then counted as pods). */
    public boolean hasPodsIn(String namespace) {
        return usedByNamespace.containsKey(namespace);
    }

    /** What the pods bound to nodes in {@code namespace} request together (zero when none runs there). */
    public Demand usedIn(String namespace) {
        return usedByNamespace.getOrDefault(namespace, new Demand("", 0, 0, 0, 0));
    }

    private static boolean schedulable(Node node) {
        if (node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable())) {
            return false;
        }
        if (node.getStatus() == null || node.getStatus().getConditions() == null) {
            return false;
        }
        return node.getStatus().getConditions().stream()
                .filter(c -> "Ready".equals(c.getType()))
                .map(NodeCondition::getStatus)
                .anyMatch("True"::equals);
    }

    private static NodeCapacity capacityOf(Node node) {
        Map<String, Quantity> a = node.getStatus().getAllocatable() == null ? Map.of() : node.getStatus().getAllocatable();
        // Only whole GPUs are offered: a MIG-sliced or time-shared node sells its CPU and memory, not its GPUs.
        GpuModels.NodeGpus gpus = GpuModels.of(node);
        long storage = a.containsKey("ephemeral-storage")
                ? amount(a.get("ephemeral-storage")).divide(MIB, java.math.RoundingMode.FLOOR).longValue()
                : Long.MAX_VALUE;
        return new NodeCapacity(node.getMetadata().getName(), gpus.sold() ? gpus.model().name() : "",
                gpus.sold() ? gpus.whole() : 0, amount(a.get("cpu")).movePointRight(3).longValue(),
                amount(a.get("memory")).divide(MIB, java.math.RoundingMode.FLOOR).longValue(), storage);
    }

    private static boolean holdsResources(Pod pod) {
        if (pod.getSpec() == null || pod.getSpec().getNodeName() == null) {
            return false;
        }
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return !"Succeeded".equals(phase) && !"Failed".equals(phase);
    }

    /**
     * What the scheduler charges a pod for {@code resource}: the larger of its containers' sum and its largest
     * init container. GPUs are counted from limits (extended resources have no separate request), the rest from
     * requests, falling back to limits, as the API server defaults them.
     */
    private static BigDecimal podTotal(Pod pod, String resource, boolean fromLimits) {
        BigDecimal sum = BigDecimal.ZERO;
        for (Container c : pod.getSpec().getContainers()) {
            sum = sum.add(containerAmount(c, resource, fromLimits));
        }
        BigDecimal init = BigDecimal.ZERO;
        if (pod.getSpec().getInitContainers() != null) {
            for (Container c : pod.getSpec().getInitContainers()) {
                init = init.max(containerAmount(c, resource, fromLimits));
            }
        }
        return sum.max(init);
    }

    private static BigDecimal containerAmount(Container c, String resource, boolean fromLimits) {
        if (c.getResources() == null) {
            return BigDecimal.ZERO;
        }
        Map<String, Quantity> requests = c.getResources().getRequests();
        Map<String, Quantity> limits = c.getResources().getLimits();
        Quantity q = fromLimits ? get(limits, resource) : get(requests, resource);
        if (q == null) {
            q = fromLimits ? get(requests, resource) : get(limits, resource);
        }
        return amount(q);
    }

    private static Quantity get(Map<String, Quantity> map, String key) {
        return map == null ? null : map.get(key);
    }

    private static BigDecimal amount(Quantity q) {
        return q == null ? BigDecimal.ZERO : Quantity.getAmountInBytes(q);
    }
}
