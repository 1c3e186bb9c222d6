package org.openspheron.operator.gateway;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/**
 * The lease status document of the gateway API, compatible in spirit with Spheron's and Akash's lease status
 * (hence the snake_case names where those use them). Built only from what the cluster shows. Jackson writes it from
 * its accessors, so it is registered, with its parts, for a native image.
 */
@RegisterForReflection(targets = {LeaseStatusReport.class, LeaseStatusReport.ServiceReport.class,
        LeaseStatusReport.ForwardedPort.class, LeaseStatusReport.EventReport.class})
@JsonInclude(JsonInclude.Include.NON_NULL)
record LeaseStatusReport(
        long leaseId,
        String phase,
        String message,
        Map<String, ServiceReport> services,
        @JsonProperty("forwarded_ports") Map<String, List<ForwardedPort>> forwardedPorts,
        List<EventReport> events) {

    record ServiceReport(
            String name,
            int available,
            int total,
            int replicas,
            @JsonProperty("ready_replicas") int readyReplicas,
            List<String> uris) {
    }

    record ForwardedPort(String host, int port, int externalPort, String proto, String name) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record EventReport(String time, String type, String reason, String message, String object) {
    }
}
