package org.openspheron.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

/**
 * A status condition as the Kubernetes API conventions describe it: type, status (True, False, Unknown), a
 * CamelCase reason, a human message, and when the status last changed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Condition {
    public static final String TRUE = "True";
    public static final String FALSE = "False";
    public static final String UNKNOWN = "Unknown";

    private String type;
    private String status;
    private String reason;
    private String message;
    private String lastTransitionTime;
    private Long observedGeneration;

    public Condition() {
    }

    public Condition(String type, String status, String reason, String message, String lastTransitionTime) {
        this.type = type;
        this.status = status;
        this.reason = reason;
        this.message = message;
        this.lastTransitionTime = lastTransitionTime;
    }

    /**
     * Sets condition {@code type} in {@code conditions}. The transition time moves only when the status changes,
     * as the conventions require, so writing the same observation twice leaves the list equal.
     */
    public static void set(List<Condition> conditions, String type, boolean status, String reason, String message, Long generation) {
        String value = status ? TRUE : FALSE;
        Condition existing = conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        if (existing == null) {
            Condition created = new Condition(type, value, reason, message, now);
            created.setObservedGeneration(generation);
            conditions.add(created);
            return;
        }
        if (!value.equals(existing.getStatus())) {
            existing.setLastTransitionTime(now);
        }
        existing.setStatus(value);
        existing.setReason(reason);
        existing.setMessage(message);
        existing.setObservedGeneration(generation);
    }

    public String getType() { return type; }
    public void setType(String type) { this.type = type; }
    public String getStatus() { return status; }
    public void setStatus(String status) { this.status = status; }
    public String getReason() { return reason; }
    public void setReason(String reason) { this.reason = reason; }
    public String getMessage() { return message; }
    public void setMessage(String message) { this.message = message; }
    public String getLastTransitionTime() { return lastTransitionTime; }
    public void setLastTransitionTime(String lastTransitionTime) { this.lastTransitionTime = lastTransitionTime; }
    public Long getObservedGeneration() { return observedGeneration; }
    public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }

    @Override
    public boolean equals(Object o) {
        return o instanceof Condition c && Objects.equals(type, c.type) && Objects.equals(status, c.status)
                && Objects.equals(reason, c.reason) && Objects.equals(message, c.message)
                && Objects.equals(lastTransitionTime, c.lastTransitionTime)
                && Objects.equals(observedGeneration, c.observedGeneration);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, status, reason, message, lastTransitionTime, observedGeneration);
    }
}
