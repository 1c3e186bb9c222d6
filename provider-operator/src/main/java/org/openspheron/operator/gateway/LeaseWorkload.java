package org.openspheron.operator.gateway;

import io.fabric8.kubernetes.api.model.Secret;
import java.util.List;
import org.openspheron.operator.deployment.GPUDeployment;

/**
 * What an accepted manifest becomes in the lease's namespace: the GPUDeployment (no secret values in it) and the
 * Secrets its services reference. Built by {@link ManifestDeployment}, applied by {@link LeaseCluster}.
 */
record LeaseWorkload(long leaseId, String manifestHash, GPUDeployment deployment, List<Secret> secrets) {
    LeaseWorkload {
        secrets = List.copyOf(secrets);
    }

    List<String> serviceNames() {
        return deployment.getSpec().getServices().stream().map(s -> s.getName()).toList();
    }
}
