package org.openspheron.operator.bidding;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.openspheron.chain.OrderFeatures;
import org.openspheron.chain.OrderSpec;

/**
 * What this provider can serve of what orders may need ({@link OrderFeatures}), from its configuration: the
 * manifest storage classes it maps to StorageClasses of its cluster ({@code spheron.operator.storage-classes.*}) and
 * the confidential-computing types it runs ({@code spheron.operator.tee-runtime-classes.*}). It matches the gateway's
 * rules, so that the provider bids exactly on the orders whose manifests it will accept: with no class mapped, every
 * persistent volume gets the cluster's default StorageClass and any class is served, once some are mapped only
 * those; a TEE type is served only when mapped. It also counts the addresses of {@code spheron.operator.ip-pool}:
 * an order needing more leased IPs than the whole pool holds is never served (the {@link BidEngine} accounts the
 * ones already promised).
 *
 * @param storageClasses the manifest classes mapped; empty: any, on the cluster's default
 * @param teeTypes the confidential-computing types it runs ({@code spheron.operator.tee-runtime-classes}); empty:
 *     none, and orders asking for one get no bid
 * @param teeNodes the nodes that run each of those types
 * @param leasedIps how many addresses {@code spheron.operator.ip-pool} holds; 0: orders needing one get no bid
 * @param gpuRuntimeClass the RuntimeClass GPU pods get ({@code spheron.operator.runtime-class}); while it is missing
 *     from the cluster no GPU order is bid (its pods could not be created), and its node selector, when it has one,
 *     places GPU orders as the API server will place their pods. Read through {@code teeNodes} under
 *     {@link #GPU_RUNTIME}.
 */
public record ProviderCapabilities(Set<String> storageClasses, Set<String> teeTypes, TeeNodes teeNodes,
                                   int leasedIps, Optional<String> gpuRuntimeClass) {
    /** The key under which {@code teeNodes} answers for the GPU RuntimeClass (no TEE type is spelled so). */
    public static final String GPU_RUNTIME = "(gpu runtime class)";

    /** A provider that maps no storage class and runs no TEE. */
    public static final ProviderCapabilities DEFAULT_STORAGE = new ProviderCapabilities(Set.of(), Set.of());

    public ProviderCapabilities {
        gpuRuntimeClass = gpuRuntimeClass.filter(name -> !name.isBlank());
        storageClasses = Set.copyOf(storageClasses);
        teeTypes = Set.copyOf(teeTypes);
        if (leasedIps < 0) {
            throw new IllegalArgumentException("a pool of " + leasedIps + " leased IPs");
        }
    }

    /** With no GPU RuntimeClass. */
    public ProviderCapabilities(Set<String> storageClasses, Set<String> teeTypes, TeeNodes teeNodes, int leasedIps) {
        this(storageClasses, teeTypes, teeNodes, leasedIps, Optional.empty());
    }

    /** With no leased IP to give. */
    public ProviderCapabilities(Set<String> storageClasses, Set<String> teeTypes, TeeNodes teeNodes) {
        this(storageClasses, teeTypes, teeNodes, 0);
    }

    /** Running {@code teeTypes} on any node, with no leased IP to give. */
    public ProviderCapabilities(Set<String> storageClasses, Set<String> teeTypes) {
        this(storageClasses, teeTypes, TeeNodes.ANY_NODE);
    }

    /** Mapping {@code storageClasses}, running no TEE, with no leased IP to give. */
    public ProviderCapabilities(Set<String> storageClasses) {
        this(storageClasses, Set.of());
    }

    /**
     * The labels a node needs to run {@code spec}'s pods (empty: any node), or a decline when its TEE type's
     * RuntimeClass is missing from the cluster.
     */
    Optional<Map<String, String>> nodeSelector(OrderSpec spec) {
        Map<String, String> selector = new java.util.HashMap<>();
        for (String type : OrderFeatures.teeTypes(spec.features())) {
            Optional<Map<String, String>> labels = teeNodes.nodeSelector(type);
            if (labels.isEmpty()) {
                return Optional.empty();
            }
            selector.putAll(labels.get());
        }
        return Optional.of(selector);
    }

    /** The same, with a pool of {@code leasedIps} addresses. */
    public ProviderCapabilities withLeasedIps(int leasedIps) {
        return new ProviderCapabilities(storageClasses, teeTypes, teeNodes, leasedIps, gpuRuntimeClass);
    }

    /** The same, GPU pods getting the RuntimeClass {@code name}. */
    public ProviderCapabilities withGpuRuntimeClass(String name) {
        return new ProviderCapabilities(storageClasses, teeTypes, teeNodes, leasedIps, Optional.ofNullable(name));
    }

    /**
     * The labels the GPU RuntimeClass's scheduling adds to {@code spec}'s GPU pods (none for an order without GPUs or
     * a provider with no GPU RuntimeClass), or empty when that class is missing from the cluster. Asked of TEE orders
     * too: their TEE services run under the TEE type's class, but a manifest may hold other GPU services, which get
     * this one, so a provider missing it bids on no GPU order at all (a lease refused is lost business; one won and
     * not deployed is slashed).
     */
    Optional<Map<String, String>> gpuRuntimeSelector(OrderSpec spec) {
        if (spec.gpuCount() <= 0 || gpuRuntimeClass.isEmpty()) {
            return Optional.of(Map.of());
        }
        return teeNodes.nodeSelector(GPU_RUNTIME);
    }

    /** Why this provider cannot serve what {@code spec} needs (a metric tag and a sentence), or empty when it can. */
    Optional<Decision.Decline> lacking(OrderSpec spec) {
        long features = spec.features();
        if (OrderFeatures.unknown(features) != 0) {
            return Optional.of(new Decision.Decline("features", "it needs " + OrderFeatures.describe(features)
                    + ", which this operator version does not know"));
        }
        int ips = OrderFeatures.leasedIps(features);
        if (ips > leasedIps) {
            return Optional.of(new Decision.Decline("leased-ips", "it needs " + OrderFeatures.leasedIpsText(ips)
                    + "; spheron.operator.ip-pool has " + leasedIps));
        }
        List<String> teeMissing = OrderFeatures.teeTypes(features).stream().filter(t -> !teeTypes.contains(t)).toList();
        if (!teeMissing.isEmpty()) {
            return Optional.of(new Decision.Decline("tee", "it asks for " + String.join(", ", teeMissing)
                    + " confidential computing, which spheron.operator.tee-runtime-classes does not map ("
                    + (teeTypes.isEmpty() ? "none mapped" : "mapped: " + String.join(", ", new TreeSet<>(teeTypes))) + ")"));
        }
        if (storageClasses.isEmpty()) {
            return Optional.empty();
        }
        List<String> missing = OrderFeatures.storageClasses(features).stream()
                .filter(c -> !storageClasses.contains(c)).toList();
        if (!missing.isEmpty()) {
            return Optional.of(new Decision.Decline("storage-class", "it mounts storage class "
                    + String.join(", ", missing) + ", which spheron.operator.storage-classes does not map (mapped: "
                    + String.join(", ", new TreeSet<>(storageClasses)) + ")"));
        }
        if ((features & OrderFeatures.STORAGE_OTHER_CLASS) != 0) {
            return Optional.of(new Decision.Decline("storage-class", "it mounts a storage class other than beta1-3, "
                    + "which the order does not name, and this provider maps only "
                    + String.join(", ", new TreeSet<>(storageClasses))));
        }
        return Optional.empty();
    }
}
