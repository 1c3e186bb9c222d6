package org.openspheron.operator.bidding;

import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.Optional;

/**
 * Where pods of a confidential-computing type can run: the node selector of the RuntimeClass the provider mapped
 * the type to ({@code scheduling.nodeSelector}, which the API server adds to every pod of that class). The bid
 * engine places a TEE order only on nodes with those labels, so it never holds a node whose pods would stay Pending.
 */
@FunctionalInterface
public interface TeeNodes {
    /** Every node: for providers that run no TEE, and tests. */
    TeeNodes ANY_NODE = type -> Optional.of(Map.of());

    /**
     * The labels a node needs to run pods of TEE type {@code type} (empty: any node), or empty when the type's
     * RuntimeClass cannot be read (missing from the cluster): then nothing is bid for it.
     */
    Optional<Map<String, String>> nodeSelector(String type);

    /** From the cluster's RuntimeClasses, each type's as {@code runtimeClasses} maps it, read when asked. */
    static TeeNodes fromRuntimeClasses(KubernetesClient client, Map<String, String> runtimeClasses) {
        return type -> {
            String name = runtimeClasses.get(type);
            if (name == null) {
                return Optional.empty();
            }
            RuntimeClass runtimeClass = client.resources(RuntimeClass.class).withName(name).get();
            if (runtimeClass == null) {
                return Optional.empty();
            }
            if (runtimeClass.getScheduling() == null || runtimeClass.getScheduling().getNodeSelector() == null) {
                return Optional.of(Map.of());
            }
            return Optional.of(Map.copyOf(runtimeClass.getScheduling().getNodeSelector()));
        };
    }
}
