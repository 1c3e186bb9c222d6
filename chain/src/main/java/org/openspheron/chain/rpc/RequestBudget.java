package org.openspheron.chain.rpc;

import java.io.InterruptedIOException;

/**
 * A token bucket holding one token, refilled {@code requestsPerSecond} times a second: callers are spaced evenly, so
 * no second ever sees more calls than the budget (a provider's limit is usually per second, and a burst is what
 * trips it). A batch of n calls goes out as one, so it waits as n calls would and the caller after it waits n
 * intervals: any second around a batch still holds no more calls than the budget, as long as the batch itself is no
 * larger than a second's budget.
 */
final class RequestBudget {
    private final long intervalNanos;
    private long nextToken;

    /** {@code requestsPerSecond} 0 means no budget. */
    RequestBudget(double requestsPerSecond) {
        if (!(requestsPerSecond >= 0) || Double.isInfinite(requestsPerSecond)) {
            throw new IllegalArgumentException("requests per second must be 0 (no limit) or a positive number, not "
                    + requestsPerSecond);
        }
        this.intervalNanos = requestsPerSecond == 0 ? 0 : (long) Math.ceil(1_000_000_000d / requestsPerSecond);
        this.nextToken = System.nanoTime();
    }

    /** Waits until {@code calls} tokens are due and takes them. */
    void take(int calls) throws InterruptedIOException {
        if (intervalNanos == 0) {
            return;
        }
        long waitNanos;
        synchronized (this) {
            long now = System.nanoTime();
            long sendAt = Math.max(now, nextToken) + (calls - 1) * intervalNanos;
            nextToken = sendAt + calls * intervalNanos;
            waitNanos = sendAt - now;
        }
        Pause.nanos(waitNanos);
    }
}
