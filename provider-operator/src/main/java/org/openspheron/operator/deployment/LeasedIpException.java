package org.openspheron.operator.deployment;

/**
 * A deployment's leased IPs cannot be served as its spec says: a port names an endpoint {@code spec.ipEndpoints}
 * lacks, or an address another namespace's Service already holds. The deployment fails with {@link #reason()}.
 */
public class LeasedIpException extends RuntimeException {
    private final String reason;

    public LeasedIpException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
