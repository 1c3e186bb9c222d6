package org.openspheron.matchmaker.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Public, read-only: the scoring policy in use, so peers and users can check that operators agree on it. */
@Path("/policy")
@Produces(MediaType.APPLICATION_JSON)
public class PolicyResource {
    private final MatchmakerService service;

    PolicyResource(MatchmakerService service) {
        this.service = service;
    }

    @GET
    public PolicyView current() {
        return PolicyView.of(service.policy().current());
    }
}
