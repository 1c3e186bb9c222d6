package org.openspheron.matchmaker.scoring;

/**
 * One bid's score, parameter by parameter, already weighted; {@link #total()} is their sum. Stake and randomness
 * are not in it: they decide the draw among the best-scored bids, not the score.
 */
public record Breakdown(double placement, double price, double uptime, double reputation, double availability,
                        double slashes) {

    public double total() {
        return placement + price + uptime + reputation + availability + slashes;
    }
}
