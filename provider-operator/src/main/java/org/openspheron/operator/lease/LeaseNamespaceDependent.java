package org.openspheron.operator.lease;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.Map;

/**
 * The lease's own namespace. Pod Security admission labels: {@code enforce} is the configured level (baseline by
 * default, see {@link PodSecurityLevel}); {@code warn} and {@code audit} are always {@code restricted}, so a
 * provider sees where a tenant's pods fall short of it.
 */
final class LeaseNamespaceDependent extends LeaseOwnedDependent<Namespace> {
    private final PodSecurityLevel enforce;

    LeaseNamespaceDependent(PodSecurityLevel enforce) {
        super(Namespace.class);
        this.enforce = enforce;
    }

    @Override
    protected Namespace desired(SpheronLease lease, Context<SpheronLease> context) {
        Map<String, String> labels = labels(lease);
        labels.put("pod-security.kubernetes.io/enforce", enforce.label());
        labels.put("pod-security.kubernetes.io/enforce-version", "latest");
        labels.put("pod-security.kubernetes.io/warn", PodSecurityLevel.restricted.label());
        labels.put("pod-security.kubernetes.io/warn-version", "latest");
        labels.put("pod-security.kubernetes.io/audit", PodSecurityLevel.restricted.label());
        labels.put("pod-security.kubernetes.io/audit-version", "latest");
        return new NamespaceBuilder().withNewMetadata().withName(lease.namespaceName()).withLabels(labels).endMetadata().build();
    }
}
