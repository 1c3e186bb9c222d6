package org.openspheron.operator.protocol;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.openspheron.chain.ChainException;

/**
 * {@code POST /admin/register}: registers this provider now (or updates its registry entry if anything changed),
 * for operators who run with {@code spheron.provider.auto-register=false}. Reach it through
 * {@code kubectl port-forward}; it acts only for the operator's own configured account.
 */
@Path("/admin")
public class RegistrationResource {
    private final ProviderNode node;

    RegistrationResource(ProviderNode node) {
        this.node = node;
    }

    @POST
    @Path("/register")
    @Produces(MediaType.APPLICATION_JSON)
    public Response register() {
        if (!node.enabled()) {
            return error(Response.Status.CONFLICT, "the protocol side is off (spheron.provider.enabled=false)");
        }
        if (!node.leading()) {
            return error(Response.Status.SERVICE_UNAVAILABLE, "this replica does not lead (spheron.operator.leader-election):"
                    + " ask the replica holding the Lease spheron-provider-operator");
        }
        var registration = node.registration();
        if (registration.isEmpty()) {
            return error(Response.Status.SERVICE_UNAVAILABLE, "not connected to the chain yet; try again shortly");
        }
        try {
            return Response.ok(registration.get().registerNow()).build();
        } catch (ChainException e) {
            return error(Response.Status.BAD_GATEWAY, e.getMessage());
        }
    }

    private static Response error(Response.Status status, String message) {
        return Response.status(status).entity(Map.of("error", message)).type(MediaType.APPLICATION_JSON).build();
    }
}
