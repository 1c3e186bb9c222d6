package org.openspheron.matchmaker.api;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.logging.Logger;
import org.openspheron.chain.ChainException;
import org.openspheron.matchmaker.quorum.PeerDecision;
import org.openspheron.matchmaker.quorum.Quorum;
import org.openspheron.matchmaker.quorum.SignedMatch;

/** Operator to operator: signatures in, decisions out. Callers need a JWT with the {@code operator} group. */
@Path("/quorum")
@RolesAllowed("operator")
@Produces(MediaType.APPLICATION_JSON)
public class QuorumResource {
    private static final Logger LOG = Logger.getLogger(QuorumResource.class);
    private final MatchmakerService service;

    QuorumResource(MatchmakerService service) {
        this.service = service;
    }

    /** Takes a peer's signature; 202 once verified against the on-chain operator set, 422 when it does not count. */
    @POST
    @Path("/signatures")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response receive(SignedMatch signature) {
        if (signature == null) {
            return Response.status(400).entity(Map.of("error", "a signature body is required")).build();
        }
        try {
            SignedMatch kept = service.quorum().receive(signature);
            service.loop().wake();
            return Response.accepted(kept).build();
        } catch (Quorum.RejectedSignature e) {
            LOG.warnf("rejected a signature for order %d: %s", signature.orderId(), e.getMessage());
            return Response.status(422).entity(Map.of("error", e.getMessage())).build();
        } catch (ChainException e) {
            return Response.status(503).entity(Map.of("error", "cannot verify now: " + e.getMessage())).build();
        }
    }

    @GET
    @Path("/orders/{id}")
    public PeerDecision decision(@PathParam("id") long orderId) {
        return service.reconciler().peerDecision(orderId)
                .orElseThrow(() -> new NotFoundException("no decision for order " + orderId));
    }
}
