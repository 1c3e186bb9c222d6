package org.openspheron.matchmaker.api;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.ForbiddenException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The operator's own controls. A JWT with the {@code admin} group whose subject is this operator's address: a
 * peer's key may call the quorum API but cannot act as this operator's admin without naming it.
 */
@Path("/admin")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {
    private final MatchmakerService service;

    @Inject
    JsonWebToken jwt;

    AdminResource(MatchmakerService service) {
        this.service = service;
    }

    /** Runs a reconcile pass now instead of at the next poll. */
    @POST
    @Path("/reconcile")
    public Response reconcileNow() {
        requireSelf();
        service.loop().wake();
        return Response.accepted(Map.of("operator", service.operator())).build();
    }

    @GET
    @Path("/status")
    public Map<String, Object> status() {
        requireSelf();
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("operator", service.operator());
        status.put("rpcUrl", service.rpcUrl());
        status.put("head", service.reconciler().lastHead());
        status.put("reachable", service.loop().reachable());
        status.put("synced", service.loop().synced());
        status.put("lastError", service.loop().lastError());
        status.put("policy", PolicyView.of(service.policy().current()));
        return status;
    }

    private void requireSelf() {
        if (!service.operator().equalsIgnoreCase(jwt.getSubject())) {
            throw new ForbiddenException("admin tokens must have this operator's address as subject");
        }
    }
}
