package org.openspheron.operator.gateway;

import java.time.Duration;

/**
 * A refusal the gateway answers with a JSON body {@code {"error", "message", "field"?}} and an HTTP status, as the
 * gateway API promises. Thrown from the handlers; rendered in one place so every error has the same shape.
 */
public final class GatewayError extends RuntimeException {
    private final int status;
    private final String code;
    private final String field;
    private final Duration retryAfter;

    private GatewayError(int status, String code, String message, String field, Duration retryAfter) {
        super(message);
        this.status = status;
        this.code = code;
        this.field = field;
        this.retryAfter = retryAfter;
    }

    public static GatewayError of(int status, String code, String message) {
        return new GatewayError(status, code, message, null, null);
    }

    public static GatewayError invalidManifest(String message, String field) {
        return new GatewayError(400, "InvalidManifest", message, field, null);
    }

    /** A manifest host another lease, or the provider, already serves: valid, but not this lease's to take. */
    public static GatewayError hostTaken(String message, String field) {
        return new GatewayError(409, "HostTaken", message, field, null);
    }

    public static GatewayError notTenant(String message) {
        return of(403, "NotTenant", message);
    }

    public static GatewayError unknownLease(long leaseId) {
        return of(404, "UnknownLease", "lease " + leaseId + " does not exist on this provider");
    }

    public static GatewayError retryLater(String code, String message, Duration retryAfter) {
        return new GatewayError(503, code, message, null, retryAfter);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** The manifest field the error is about, or null. */
    public String field() {
        return field;
    }

    /** When a client should try again (a Retry-After header), or null. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
