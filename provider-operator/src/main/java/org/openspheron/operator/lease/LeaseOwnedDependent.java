package org.openspheron.operator.lease;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResourceConfigBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.openspheron.operator.crd.ObjectLabels;

/**
 * An object a lease owns (its namespace and what guards it). Each carries the lease-id label: the informer
 * selects on the operator's label and maps an object back to its lease by that label, because the lease is
 * cluster-scoped while most of what it owns lives in a namespace, where JOSDK's owner-reference mapper would look
 * for a namespaced owner.
 *
 * <p>No owner reference to the SpheronLease: the garbage collector would delete the namespace, and the tenant's
 * workload in it, whenever the object goes (a {@code kubectl delete}, a CRD reinstall), while the chain still has
 * the lease open and paid. The lease's end on chain, or the provider giving it up, removes the namespace instead.
 */
abstract class LeaseOwnedDependent<R extends HasMetadata> extends CRUDKubernetesDependentResource<R, SpheronLease>
        implements SecondaryToPrimaryMapper<R> {

    LeaseOwnedDependent(Class<R> type) {
        super(type);
        configureWith(new KubernetesDependentResourceConfigBuilder<R>()
                .withKubernetesDependentInformerConfig(InformerConfiguration.builder(type)
                        .withName(getClass().getSimpleName())
                        .withLabelSelector(ObjectLabels.MANAGED_SELECTOR + "," + ObjectLabels.LEASE_ID)
                        .build())
                .build());
    }

    @Override
    protected boolean addOwnerReference() {
        return false;
    }

    @Override
    public Set<ResourceID> toPrimaryResourceIDs(R object) {
        String leaseId = object.getMetadata().getLabels() == null ? null : object.getMetadata().getLabels().get(ObjectLabels.LEASE_ID);
        return leaseId == null ? Set.of() : Set.of(new ResourceID("lease-" + leaseId));
    }

    /** The labels every object of a lease carries. */
    static Map<String, String> labels(SpheronLease lease) {
        Map<String, String> labels = new HashMap<>();
        labels.put(ObjectLabels.MANAGED_BY, ObjectLabels.OPERATOR);
        labels.put(ObjectLabels.LEASE_ID, Long.toString(lease.getSpec().getLeaseId()));
        labels.put(ObjectLabels.TENANT, lease.getSpec().getTenant().toLowerCase());
        return labels;
    }
}
