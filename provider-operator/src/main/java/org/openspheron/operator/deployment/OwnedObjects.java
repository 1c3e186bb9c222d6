package org.openspheron.operator.deployment;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.GenericKubernetesResourceMatcher;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.GenericResourceUpdater;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.net.HttpURLConnection;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Brings the objects of one GPUDeployment to their desired state: create what is missing, update what differs,
 * delete what is no longer wanted, and leave alone what already matches, so a second pass writes nothing.
 * JOSDK's dependent resources manage a fixed set of objects per primary; a GPUDeployment has a variable number of
 * services, so this does the same steps (read from the informer cache, JOSDK's generic matcher, tell the cache
 * about our own writes) over a list.
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
        Optional<R> cached = informer.get(id);
        R actual = cached.orElse(null);
        if (actual == null) {
            try {
                R created = context.getClient().resource(desired).create();
                informer.handleRecentResourceCreate(id, created);
                return created;
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                    throw e;
                }
                // Created by an earlier pass whose event the cache has not seen yet: compare with the real one.
                actual = context.getClient().resource(desired).get();
                if (actual == null) {
                    throw e;
                }
            }
        }
        if (!ownedBy(actual, owner)) {
            throw new NameTakenException(actual.getKind(), actual.getMetadata().getNamespace(), actual.getMetadata().getName());
        }
        if (GenericKubernetesResourceMatcher.match(desired, actual, false, false, context).matched()) {
            return actual;
        }
        R merged = GenericResourceUpdater.updateResource(actual, desired, context);
        if (merged instanceof Service service) {
            keepAllocatedAddresses(service, (Service) actual);
        }
        R updated = context.getClient().resource(merged).update();
        informer.handleRecentResourceUpdate(id, updated, actual);
        return updated;
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

    /** The API server allocated the node ports and cluster IP; sending them back empty would reallocate them. */
    private static void keepAllocatedAddresses(Service merged, Service actual) {
        merged.getSpec().setClusterIP(actual.getSpec().getClusterIP());
        merged.getSpec().setClusterIPs(actual.getSpec().getClusterIPs());
        Map<String, ServicePort> allocated = actual.getSpec().getPorts().stream()
                .filter(p -> p.getName() != null)
                .collect(Collectors.toMap(ServicePort::getName, Function.identity(), (a, b) -> a));
        for (ServicePort port : merged.getSpec().getPorts()) {
            ServicePort old = allocated.get(port.getName());
            if (port.getNodePort() == null && old != null) {
                port.setNodePort(old.getNodePort());
            }
        }
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
