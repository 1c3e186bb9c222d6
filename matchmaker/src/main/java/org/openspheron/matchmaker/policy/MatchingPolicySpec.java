package org.openspheron.matchmaker.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import org.openspheron.matchmaker.scoring.ScoringPolicy;

/**
 * The scoring policy as an operator writes it: every field optional, an unset one keeps the value of the
 * matchmaker's properties. The schema rejects what it can (negative weights, a draw of none); {@link #over} checks
 * the rest, since a stand-in or an old API server may not enforce the schema.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MatchingPolicySpec {
    @JsonPropertyDescription("How much each scoring parameter counts; each parameter scores in [0, 1] before weighting.")
    private Weights weights;

    @JsonPropertyDescription("Exclude providers that advertise fewer free GPUs of the order's model than it asks.")
    private Boolean requireAvailableGpus;

    @Min(1)
    @JsonPropertyDescription("At most this many of the best-scored bids enter the stake-weighted draw.")
    private Integer drawSize;

    @Min(0)
    @JsonPropertyDescription("Only bids within this score of the best one enter the draw.")
    private Double drawMargin;

    @Min(1)
    @JsonPropertyDescription("A slash counts half as much this many blocks later.")
    private Long slashHalfLifeBlocks;

    /**
     * This spec laid over {@code base}, the policy from the properties.
     *
     * @throws InvalidPolicy naming the first field that makes no usable policy
     */
    public ScoringPolicy over(ScoringPolicy base) {
        ScoringPolicy.Weights w = weights == null ? base.weights() : weights.over(base.weights());
        if (!w.anyPositive()) {
            throw new InvalidPolicy("spec.weights", "every weight but slashes is 0, so no bid could score above 0; "
                    + "give at least one of placement, price, uptime, reputation, availability a weight above 0");
        }
        int size = drawSize == null ? base.drawSize() : drawSize;
        if (size < 1) {
            throw new InvalidPolicy("spec.drawSize", "must be at least 1, not " + size);
        }
        double margin = drawMargin == null ? base.drawMargin() : drawMargin;
        if (!(margin >= 0) || Double.isInfinite(margin)) {
            throw new InvalidPolicy("spec.drawMargin", "must be a finite number >= 0, not " + margin);
        }
        long halfLife = slashHalfLifeBlocks == null ? base.slashHalfLifeBlocks() : slashHalfLifeBlocks;
        if (halfLife < 1) {
            throw new InvalidPolicy("spec.slashHalfLifeBlocks", "must be at least 1, not " + halfLife);
        }
        return new ScoringPolicy(w, requireAvailableGpus == null ? base.requireAvailableGpus() : requireAvailableGpus,
                size, margin, halfLife);
    }

    public Weights getWeights() { return weights; }
    public void setWeights(Weights weights) { this.weights = weights; }
    public Boolean getRequireAvailableGpus() { return requireAvailableGpus; }
    public void setRequireAvailableGpus(Boolean requireAvailableGpus) { this.requireAvailableGpus = requireAvailableGpus; }
    public Integer getDrawSize() { return drawSize; }
    public void setDrawSize(Integer drawSize) { this.drawSize = drawSize; }
    public Double getDrawMargin() { return drawMargin; }
    public void setDrawMargin(Double drawMargin) { this.drawMargin = drawMargin; }
    public Long getSlashHalfLifeBlocks() { return slashHalfLifeBlocks; }
    public void setSlashHalfLifeBlocks(Long slashHalfLifeBlocks) { this.slashHalfLifeBlocks = slashHalfLifeBlocks; }

    /** Weights per scoring parameter, each optional; slashes subtract their weighted penalty. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Weights {
        @Min(0)
        @JsonPropertyDescription("The provider is in the order's zone (full) or region (half).")
        private Double placement;
        @Min(0)
        @JsonPropertyDescription("The bid's discount on the order's maximum price.")
        private Double price;
        @Min(0)
        @JsonPropertyDescription("The provider's reported uptime.")
        private Double uptime;
        @Min(0)
        @JsonPropertyDescription("Completed over finished leases.")
        private Double reputation;
        @Min(0)
        @JsonPropertyDescription("Free GPUs of the order's model over those it asks.")
        private Double availability;
        @Min(0)
        @JsonPropertyDescription("Penalty for slashes, more for recent ones.")
        private Double slashes;

        ScoringPolicy.Weights over(ScoringPolicy.Weights base) {
            return new ScoringPolicy.Weights(
                    weight("placement", placement, base.placement()),
                    weight("price", price, base.price()),
                    weight("uptime", uptime, base.uptime()),
                    weight("reputation", reputation, base.reputation()),
                    weight("availability", availability, base.availability()),
                    weight("slashes", slashes, base.slashes()));
        }

        private static double weight(String name, Double value, double base) {
            if (value == null) {
                return base;
            }
            if (!(value >= 0) || value.isInfinite()) {
                throw new InvalidPolicy("spec.weights." + name, "must be a finite number >= 0, not " + value);
            }
            return value;
        }

        public Double getPlacement() { return placement; }
        public void setPlacement(Double placement) { this.placement = placement; }
        public Double getPrice() { return price; }
        public void setPrice(Double price) { this.price = price; }
        public Double getUptime() { return uptime; }
        public void setUptime(Double uptime) { this.uptime = uptime; }
        public Double getReputation() { return reputation; }
        public void setReputation(Double reputation) { this.reputation = reputation; }
        public Double getAvailability() { return availability; }
        public void setAvailability(Double availability) { this.availability = availability; }
        public Double getSlashes() { return slashes; }
        public void setSlashes(Double slashes) { this.slashes = slashes; }
    }
}
