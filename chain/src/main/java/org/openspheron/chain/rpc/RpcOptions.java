package org.openspheron.chain.rpc;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link RpcTransport} treats its RPC URLs.
 *
 * @param requestsPerSecond the most calls a second this process sends, all URLs together; 0 for no limit
 * @param retryFor how long one call is retried (through failovers and backoff) before it fails
 * @param returnToFirstAfter how long after a failover the transport tries the first URL again
 * @param listener told about every call, failure and failover (metrics); {@link RpcListener#NONE} for none
 */
public record RpcOptions(double requestsPerSecond, Duration retryFor, Duration returnToFirstAfter, RpcListener listener) {
    public static final RpcOptions DEFAULT = new RpcOptions(0, Duration.ofSeconds(30), Duration.ofMinutes(1),
            RpcListener.NONE);

    public RpcOptions {
        if (!(requestsPerSecond >= 0) || Double.isInfinite(requestsPerSecond)) {
            throw new IllegalArgumentException("requests per second must be 0 (no limit) or a positive number, not "
                    + requestsPerSecond);
        }
        requirePositive("retryFor", retryFor);
        requirePositive("returnToFirstAfter", returnToFirstAfter);
        Objects.requireNonNull(listener, "listener");
    }

    /**
     * From the apps' {@code spheron.chain.*} settings, checked the same way in every app: an
     * {@link IllegalArgumentException} names the key ({@code requests-per-second}, {@code rpc-retry-for},
     * {@code rpc-return-to-first-after}) whose value cannot work.
     */
    public static RpcOptions fromSettings(double requestsPerSecond, Duration retryFor, Duration returnToFirstAfter,
                                          RpcListener listener) {
        RpcOptions options;
        try {
            options = DEFAULT.withRequestsPerSecond(requestsPerSecond).withListener(listener);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("spheron.chain.requests-per-second: " + e.getMessage(), e);
        }
        try {
            options = options.withRetryFor(retryFor);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("spheron.chain.rpc-retry-for: " + e.getMessage(), e);
        }
        try {
            return options.withReturnToFirstAfter(returnToFirstAfter);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("spheron.chain.rpc-return-to-first-after: " + e.getMessage(), e);
        }
    }

    public RpcOptions withRequestsPerSecond(double perSecond) {
        return new RpcOptions(perSecond, retryFor, returnToFirstAfter, listener);
    }

    public RpcOptions withRetryFor(Duration duration) {
        return new RpcOptions(requestsPerSecond, duration, returnToFirstAfter, listener);
    }

    public RpcOptions withReturnToFirstAfter(Duration duration) {
        return new RpcOptions(requestsPerSecond, retryFor, duration, listener);
    }

    public RpcOptions withListener(RpcListener newListener) {
        return new RpcOptions(requestsPerSecond, retryFor, returnToFirstAfter, newListener);
    }

    private static void requirePositive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, not " + value);
        }
    }
}
