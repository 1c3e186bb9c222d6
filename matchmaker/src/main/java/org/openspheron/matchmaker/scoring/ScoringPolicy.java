package org.openspheron.matchmaker.scoring;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * How bids are weighed. Every operator of a quorum must run the same policy, or they pick different bids and no
 * match reaches the threshold (the disagreement is logged and exposed, never resolved silently).
 *
 * @param weights how much each parameter counts; each parameter scores in [0, 1] before weighting
 * @param requireAvailableGpus exclude providers that advertise fewer free GPUs of the order's model than it asks
 * @param drawSize at most this many of the best-scored bids enter the stake-weighted draw
 * @param drawMargin and only those within this score of the best one
 * @param slashHalfLifeBlocks how fast a slash's weight fades: it counts half as much this many blocks later
 */
public record ScoringPolicy(
        Weights weights,
        boolean requireAvailableGpus,
        int drawSize,
        double drawMargin,
        long slashHalfLifeBlocks) {

    public ScoringPolicy {
        if (weights == null) {
            throw new IllegalArgumentException("weights are missing");
        }
        if (drawSize < 1) {
            throw new IllegalArgumentException("draw-size must be at least 1, not " + drawSize);
        }
        if (!(drawMargin >= 0) || Double.isInfinite(drawMargin)) {
            throw new IllegalArgumentException("draw-margin must be a finite number >= 0, not " + drawMargin);
        }
        if (slashHalfLifeBlocks < 1) {
            throw new IllegalArgumentException("slash-half-life-blocks must be at least 1, not " + slashHalfLifeBlocks);
        }
    }

    /** The defaults: price and placement first, then track record; draw among the best five within 0.1. */
    public static ScoringPolicy defaults() {
        return new ScoringPolicy(Weights.defaults(), true, 5, 0.1, 7200);
    }

    /**
     * Every parameter that changes a ranking, in a fixed order and format. Two operators with equal canonical forms
     * rank every order the same way; {@link Double#toString} is exact and platform-independent, so equal doubles
     * give equal text.
     */
    public String canonical() {
        return "weights.placement=" + weights.placement()
                + ";weights.price=" + weights.price()
                + ";weights.uptime=" + weights.uptime()
                + ";weights.reputation=" + weights.reputation()
                + ";weights.availability=" + weights.availability()
                + ";weights.slashes=" + weights.slashes()
                + ";require-available-gpus=" + requireAvailableGpus
                + ";draw-size=" + drawSize
                + ";draw-margin=" + drawMargin
                + ";slash-half-life-blocks=" + slashHalfLifeBlocks;
    }

    /**
     * A short hash of {@link #canonical()}: operators compare theirs with their peers' (decision API, logs) to tell a
     * policy mismatch from a chain-state mismatch when they pick differently.
     */
    public String fingerprint() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical().getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    public ScoringPolicy withWeights(Weights weights) {
        return new ScoringPolicy(weights, requireAvailableGpus, drawSize, drawMargin, slashHalfLifeBlocks);
    }

    public ScoringPolicy withDraw(int drawSize, double drawMargin) {
        return new ScoringPolicy(weights, requireAvailableGpus, drawSize, drawMargin, slashHalfLifeBlocks);
    }

    /** Weight per scoring parameter; all finite and non-negative (slashes subtract their weighted penalty). */
    public record Weights(double placement, double price, double uptime, double reputation, double availability,
                          double slashes) {
        public Weights {
            check("placement", placement);
            check("price", price);
            check("uptime", uptime);
            check("reputation", reputation);
            check("availability", availability);
            check("slashes", slashes);
        }

        /** Whether any parameter can raise a score: with none, every qualifying bid scores at most 0. */
        public boolean anyPositive() {
            return placement > 0 || price > 0 || uptime > 0 || reputation > 0 || availability > 0;
        }

        public static Weights defaults() {
            return new Weights(0.25, 0.30, 0.15, 0.15, 0.05, 0.30);
        }

        private static void check(String name, double weight) {
            if (!(weight >= 0) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("weight " + name + " must be a finite number >= 0, not " + weight);
            }
        }
    }
}
