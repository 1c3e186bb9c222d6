package org.openspheron.matchmaker.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** Public, read-only: what this operator sees and decides. Everything here is derived from public chain data. */
@Path("/orders")
@Produces(MediaType.APPLICATION_JSON)
public class OrdersResource {
    private final MatchmakerService service;

    OrdersResource(MatchmakerService service) {
        this.service = service;
    }

    /** The chain's open orders as of the last pass, with this operator's status for each. */
    @GET
    public List<DecisionView.Summary> open() {
        return service.reconciler().openDecisions().stream().map(DecisionView.Summary::of).toList();
    }

    @GET
    @Path("/{id}/decision")
    public DecisionView decision(@PathParam("id") long orderId) {
        return service.reconciler().decision(orderId)
                .map(d -> DecisionView.of(d, service.quorum().signaturesFor(orderId)))
                .orElseThrow(() -> new NotFoundException("order " + orderId + " has not been seen by this matchmaker"));
    }
}
