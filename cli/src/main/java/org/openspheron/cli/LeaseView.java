package org.openspheron.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import org.openspheron.chain.Lease;

/** How a lease and its deployment are shown to people. */
final class LeaseView {
    private LeaseView() {
    }

    static void chain(Output output, ChainSession chain, Lease lease) {
        output.line("lease        " + lease.id() + " (order " + lease.orderId() + ")");
        output.line("state        " + lease.state() + (lease.isConfirmed() ? ", running since "
                + Instant.ofEpochSecond(lease.confirmedAt()) : ", deployment not confirmed yet"));
        output.line("provider     " + lease.provider());
        output.line("price        " + chain.tokens(lease.pricePerHour()) + "/h");
        output.line("escrow       " + chain.tokens(lease.balance()) + " left, " + chain.tokens(lease.paid()) + " paid");
        if (lease.endsAt() != 0) {
            output.line("ends         " + Instant.ofEpochSecond(lease.endsAt()));
        }
    }

    /** Phase, then per service its readiness, URLs and port mappings. */
    static void deployment(Output output, JsonNode status) {
        output.line("phase        " + status.path("phase").asText("unknown")
                + (status.hasNonNull("message") ? " (" + status.get("message").asText() + ")" : ""));
        JsonNode services = status.path("services");
        for (Iterator<Map.Entry<String, JsonNode>> it = services.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode s = e.getValue();
            StringBuilder line = new StringBuilder(String.format("%-12s %d/%d ready", e.getKey(),
                    s.path("ready_replicas").asInt(s.path("available").asInt()), s.path("replicas").asInt(s.path("total").asInt())));
            for (JsonNode uri : s.path("uris")) {
                line.append("  ").append(uri.asText());
            }
            output.line(line.toString());
            for (JsonNode p : status.path("forwarded_ports").path(e.getKey())) {
                output.line(String.format("%-12s %s:%d -> %d/%s", "", p.path("host").asText(), p.path("externalPort").asInt(),
                        p.path("port").asInt(), p.path("proto").asText("TCP")));
            }
        }
        for (JsonNode event : status.path("events")) {
            if ("Warning".equals(event.path("type").asText())) {
                output.line("warning      " + event.path("reason").asText() + ": " + event.path("message").asText());
            }
        }
    }
}
