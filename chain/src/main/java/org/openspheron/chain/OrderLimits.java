package org.openspheron.chain;

import java.math.BigInteger;

/**
 * The protocol's limits on an order's spec, the same as DeploymentOrder's {@code MAX_*} constants, which createOrder
 * enforces. They are kept here too because a contract deployed before the limits existed has no such constants, and
 * may hold orders past them: the reader measures every order against these and reports one past them as unreadable.
 */
public final class OrderLimits {
    /** About a million cores; fits an {@code int}. */
    public static final long MAX_CPU_MILLI = 1L << 30;
    /** An exbibyte: even in bytes (2^60) it fits a {@code long}. */
    public static final long MAX_MEMORY_MB = 1L << 40;
    public static final long MAX_STORAGE_MB = 1L << 40;
    public static final long MAX_GPU_COUNT = 1L << 16;
    /** Ten years of 365 days. */
    public static final long MAX_DURATION_SECONDS = 3650L * 24 * 3600;
    /** Bytes of UTF-8 in each of gpuModel, region and zone. */
    public static final int MAX_TEXT_BYTES = 128;
    /**
     * The highest price per hour an order may offer, so a bid's too: 2^128-1, so that price x duration (2^28 s at
     * most) can never overflow the contract's 256-bit payment arithmetic.
     */
    public static final BigInteger MAX_PRICE_PER_HOUR = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);
    /** The most a lease's escrow may hold, deposit and top-ups together: 2^128-1 token base units. */
    public static final BigInteger MAX_ESCROW = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

    private OrderLimits() {
    }
}
