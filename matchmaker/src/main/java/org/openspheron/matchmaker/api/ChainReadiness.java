package org.openspheron.matchmaker.api;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the chain answers and the last pass is recent: a matchmaker that cannot see the chain can't sign. */
@Readiness
@ApplicationScoped
public class ChainReadiness implements HealthCheck {
    private final MatchmakerService service;

    ChainReadiness(MatchmakerService service) {
        this.service = service;
    }

    @Override
    public HealthCheckResponse call() {
        var loop = service.loop();
        var response = HealthCheckResponse.named("chain")
                .status(loop.reachable() && loop.synced())
                .withData("rpcUrl", service.rpcUrl())
                .withData("operator", service.operator())
                .withData("reachable", loop.reachable())
                .withData("synced", loop.synced())
                .withData("head", service.reconciler().lastHead());
        if (loop.lastError() != null) {
            response.withData("lastError", loop.lastError());
        }
        return response.build();
    }
}
