package org.openspheron.operator.lease;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Where the removal of a lease namespace stands after one step of it: gone, or Terminating since a time, with what
 * the namespace controller says is left in it.
 *
 * <p>The namespace is deleted once. Deletion takes a while on a real cluster (the namespace controller removes
 * everything in it first), during which the namespace is still there with a deletionTimestamp: it is going, and is
 * not deleted again. Kubernetes 1.21 and later refuse a second delete of a terminating namespace with 409 Conflict
 * (1.20 answers 200); should one race past the check, the 409 means the same: going.
 */
record NamespaceRemoval(boolean gone, Instant terminatingSince, List<String> remaining) {
    static NamespaceRemoval of(KubernetesClient client, String name) {
        var namespace = client.namespaces().withName(name);
        Namespace existing = namespace.get();
        if (existing == null) {
            return new NamespaceRemoval(true, null, List.of());
        }
        if (existing.getMetadata().getDeletionTimestamp() != null) {
            return new NamespaceRemoval(false, Instant.parse(existing.getMetadata().getDeletionTimestamp()), leftovers(existing));
        }
        try {
            namespace.delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
        }
        return new NamespaceRemoval(false, Instant.now(), List.of());
    }

    /** What the namespace controller reports keeps the namespace (its conditions that are True), in its words. */
    private static List<String> leftovers(Namespace namespace) {
        if (namespace.getStatus() == null || namespace.getStatus().getConditions() == null) {
            return List.of();
        }
        return namespace.getStatus().getConditions().stream()
                .filter(c -> "True".equals(c.getStatus()) && c.getMessage() != null)
                .map(NamespaceCondition::getMessage)
                .toList();
    }

    /**
     * Why the namespace counts as stuck at {@code now}, if it has been Terminating longer than {@code after}: how
     * long, what is left, and what the provider can do.
     */
    Optional<String> stuckReason(Duration after, Instant now) {
        if (gone || terminatingSince == null) {
            return Optional.empty();
        }
        Duration terminating = Duration.between(terminatingSince, now);
        if (terminating.compareTo(after) <= 0) {
            return Optional.empty();
        }
        String left = remaining.isEmpty() ? "the namespace controller reports nothing left; check its log"
                : remaining.stream().collect(Collectors.joining("; "));
        return Optional.of("namespace has been Terminating for " + terminating.truncatedTo(ChronoUnit.SECONDS).toString().substring(2).toLowerCase()
                + ": " + left + ". Remove what holds it (a finalizer whose controller is gone, an unavailable API service); "
                + "the operator keeps waiting");
    }
}
