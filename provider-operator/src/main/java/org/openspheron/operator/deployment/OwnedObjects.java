package org.openspheron.operator.deployment;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.SSABasedGenericKubernetesResourceMatcher;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Brings the objects of one GPUDeployment to their desired state with server-side apply: apply what is missing or
 * differs, delete what is no longer wanted, and leave alone what already matches, so a second pass writes nothing.
 * JOSDK's dependent resources manage a fixed set of objects per primary; a GPUDeployment has a variable number of
 * services, so this does the same steps over a list: read from the informer cache, compare with JOSDK's SSA matcher
 * (only the fields this operator's field manager owns; what the API server defaults or allocates, such as node
 * ports and cluster IPs, is not ours and stays), apply with the operator's field manager, and tell the cache about
 * the write.
 */
final class OwnedObjects {
    private final Map<Class<? extends HasMetadata>, InformerEventSource<? extends HasMetadata, GPUDeployment>> informers;

    OwnedObjects(Map<Class<? extends HasMetadata>, InformerEventSource<? extends HasMetadata, GPUDeployment>> informers) {
        this.informers = informers;
    }

    /** Makes {@code desired} exist as given; returns the object as the API server holds it now. */
    @SuppressWarnings("unchecked")
    <R extends HasMetadata> R apply(GPUDeployment owner, R desired, Context<GPUDeployment> context) {
        InformerEventSource<R, GPUDeployment> informer = informer((Class<R>) desired.getClass());
        ResourceID id = ResourceID.fromResource(desired);
        // The informer sees only objects with the operator's labels: an object of the same name that someone else
        // made is read from the server, so that it is reported rather than taken over by the apply.
        R actual = informer.get(id).orElseGet(() -> context.getClient().resource(desired).get());
        if (actual != null && !ownedBy(actual, owner)) {
            throw new NameTakenException(actual.getKind(), actual.getMetadata().getNamespace(), actual.getMetadata().getName());
        }
        if (actual != null && SSABasedGenericKubernetesResourceMatcher.<R>getInstance().matches(actual, desired, context)) {
            return actual;
        }
        R applied = context.getClient().resource(desired)
                .fieldManager(context.getControllerConfiguration().fieldManager())
                .forceConflicts()
                .serverSideApply();
        if (actual == null) {
            informer.handleRecentResourceCreate(id, applied);
        } else {
            informer.handleRecentResourceUpdate(id, applied, actual);
        }
        return applied;
    }

    /** Deletes objects of {@code type} this deployment owns that are not in {@code keep}. */
    <R extends HasMetadata> void deleteAllBut(GPUDeployment owner, Class<R> type, Collection<? extends HasMetadata> keep,
            Context<GPUDeployment> context) {
        Set<String> names = keep.stream().filter(type::isInstance).map(o -> o.getMetadata().getName()).collect(Collectors.toSet());
        for (R existing : context.getSecondaryResources(type)) {
            if (!names.contains(existing.getMetadata().getName()) && ownedBy(existing, owner)) {
                context.getClient().resource(existing).delete();
            }
        }
    }

    static boolean ownedBy(HasMetadata object, GPUDeployment owner) {
        return object.getMetadata().getOwnerReferences().stream()
                .filter(r -> Boolean.TRUE.equals(r.getController()))
                .map(OwnerReference::getUid)
                .anyMatch(uid -> Objects.equals(uid, owner.getMetadata().getUid()));
    }

    @SuppressWarnings("unchecked")
    private <R extends HasMetadata> InformerEventSource<R, GPUDeployment> informer(Class<R> type) {
        var informer = informers.get(type);
        if (informer == null) {
            throw new IllegalStateException("no informer for " + type.getSimpleName());
        }
        return (InformerEventSource<R, GPUDeployment>) informer;
    }
}
