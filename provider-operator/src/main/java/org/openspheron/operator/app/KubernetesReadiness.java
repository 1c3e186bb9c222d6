package org.openspheron.operator.app;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.openspheron.operator.inventory.ClusterInventory;

/**
 * Ready only while this replica sees the cluster as it is: the node and pod watches have listed once and are
 * connected. Without them the gateway cannot tell a tenant what runs, and the bid engine refuses to bid; a replica
 * in that state is taken out of the gateway Service instead of answering 503 to every request. Not a liveness
 * check: an API server outage is not cured by restarting the operator.
 */
@Readiness
@ApplicationScoped
public class KubernetesReadiness implements HealthCheck {
    private final ClusterInventory inventory;

    KubernetesReadiness(ClusterInventory inventory) {
        this.inventory = inventory;
    }

    @Override
    public HealthCheckResponse call() {
        boolean watching = inventory.watching();
        var response = HealthCheckResponse.named("kubernetes").status(watching).withData("apiServer", inventory.apiServer());
        if (!watching) {
            response.withData("reason", "the node and pod watches have not listed yet or are reconnecting");
        }
        return response.build();
    }
}
