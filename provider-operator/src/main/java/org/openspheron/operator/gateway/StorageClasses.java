package org.openspheron.operator.gateway;

import java.util.Map;
import java.util.TreeMap;

/**
 * Which StorageClass of this cluster serves each storage class a manifest may name (Akash's {@code beta1},
 * {@code beta2}, {@code beta3}, or any other name), as the provider configured them
 * ({@code spheron.operator.storage-classes.<class>=<StorageClass>}). With none configured every persistent volume gets
 * the cluster's default StorageClass, whatever class it names; once the provider maps any, a volume naming a class it
 * did not map is refused at the gateway, before the lease is confirmed, rather than given storage it did not ask for.
 */
public record StorageClasses(Map<String, String> byClass) {
    public static final StorageClasses NONE = new StorageClasses(Map.of());

    public StorageClasses {
        byClass = Map.copyOf(byClass);
        byClass.forEach((name, storageClass) -> {
            if (storageClass.isBlank()) {
                throw new IllegalArgumentException("spheron.operator.storage-classes." + name + " is empty: name the "
                        + "StorageClass that serves class " + name);
            }
        });
    }

    /**
     * The StorageClass of a persistent volume that names {@code manifestClass} (null: none named), or null for the
     * cluster's default.
     *
     * @param field the manifest field of the volume's class, for the refusal
     * @throws GatewayError when classes are mapped and this one is not
     */
    String of(String manifestClass, String field) {
        if (manifestClass == null || byClass.isEmpty()) {
            return null;
        }
        String storageClass = byClass.get(manifestClass);
        if (storageClass == null) {
            throw GatewayError.invalidManifest("this provider has no storage class " + manifestClass + " (it offers "
                    + String.join(", ", new TreeMap<>(byClass).keySet()) + ")", field);
        }
        return storageClass;
    }
}
