package org.openspheron.operator.bidding;

import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

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

    /** How long a RuntimeClass read serves the bid passes: a class changes rarely, and passes come every block. */
    Duration CACHE_TTL = Duration.ofSeconds(30);

    /**
     * From the cluster's RuntimeClasses, each type's as {@code runtimeClasses} maps it, read at most once per
     * {@link #CACHE_TTL} and type (not once per order and pass). A read the API server fails counts as missing for
     * this pass, and is tried again on the next: one failing read never stops the bids on other orders.
     */
    static TeeNodes fromRuntimeClasses(KubernetesClient client, Map<String, String> runtimeClasses) {
        return cached(type -> {
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
        }, CACHE_TTL, System::nanoTime);
    }

    /**
     * {@code source}, each type's answer kept for {@code ttl}; a failing read answers empty and is kept for a tenth of
     * it, so that a pass over many TEE orders makes one failing call, not one each.
     */
    static TeeNodes cached(TeeNodes source, Duration ttl, LongSupplier nanoTime) {
        record Answer(Optional<Map<String, String>> selector, long until) {
        }
        Map<String, Answer> answers = new ConcurrentHashMap<>();
        return type -> {
            long now = nanoTime.getAsLong();
            Answer answer = answers.get(type);
            if (answer != null && now - answer.until() < 0) {
                return answer.selector();
            }
            try {
                Optional<Map<String, String>> selector = source.nodeSelector(type);
                answers.put(type, new Answer(selector, now + ttl.toNanos()));
                return selector;
            } catch (RuntimeException e) {
                answers.put(type, new Answer(Optional.empty(), now + ttl.toNanos() / 10));
                Logger.getLogger(TeeNodes.class).warnf("cannot read the RuntimeClass of %s (%s): no bid on"
                        + " such orders until it can be read", type, e.getMessage());
                return Optional.empty();
            }
        };
    }
}
