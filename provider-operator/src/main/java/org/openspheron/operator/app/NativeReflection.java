package org.openspheron.operator.app;

import io.javaoperatorsdk.operator.processing.event.rate.LinearRateLimiter;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.openspheron.operator.deployment.GPUDeployment;
import org.openspheron.operator.deployment.GPUDeploymentReconciler;
import org.openspheron.operator.lease.SpheronLease;
import org.openspheron.operator.lease.SpheronLeaseReconciler;

/**
 * What java-operator-sdk does by reflection, registered for a native image. Quarkus' kubernetes-client extension
 * registers the fabric8 model; JOSDK, used here without an extension of its own, is not covered. It instantiates the
 * retry and the rate limiter its {@code @ControllerConfiguration} names (the defaults, {@link GenericRetry} and
 * {@link LinearRateLimiter}) through their no-arg constructors, before the operator's own retry replaces the first,
 * and reads each reconciler's annotation and generic type argument. The first native start failed on the first:
 * "Couldn't find a no-arg constructor for io.javaoperatorsdk.operator.processing.retry.GenericRetry". The dependent
 * resources need nothing: each passes its resource type to JOSDK itself. The gateway's JSON documents, which are
 * package-private, carry the annotation themselves.
 */
@RegisterForReflection(targets = {GenericRetry.class, LinearRateLimiter.class, SpheronLeaseReconciler.class,
        GPUDeploymentReconciler.class})
final class NativeReflection {
    private NativeReflection() {
    }

    /**
     * The custom resources, which fabric8's Jackson reads from and writes to the API server, with every type their
     * spec and status reach (conditions, ports, volumes, quantities).
     */
    @RegisterForReflection(targets = {SpheronLease.class, GPUDeployment.class}, registerFullHierarchy = true)
    static final class CustomResources {
        private CustomResources() {
        }
    }
}
