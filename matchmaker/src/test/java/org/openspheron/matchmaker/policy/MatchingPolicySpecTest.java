package org.openspheron.matchmaker.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.openspheron.matchmaker.scoring.ScoringPolicy;

class MatchingPolicySpecTest {
    private static final ScoringPolicy PROPERTIES = ScoringPolicy.defaults();

    @Test
    void unsetFieldsKeepThePropertiesValues() {
        MatchingPolicySpec spec = new MatchingPolicySpec();
        spec.setWeights(new MatchingPolicySpec.Weights());
        spec.getWeights().setPrice(0.9);
        spec.setDrawSize(3);

        ScoringPolicy policy = spec.over(PROPERTIES);

        assertThat(policy.weights().price()).isEqualTo(0.9);
        assertThat(policy.weights().placement()).isEqualTo(PROPERTIES.weights().placement());
        assertThat(policy.weights().slashes()).isEqualTo(PROPERTIES.weights().slashes());
        assertThat(policy.drawSize()).isEqualTo(3);
        assertThat(policy.drawMargin()).isEqualTo(PROPERTIES.drawMargin());
        assertThat(policy.requireAvailableGpus()).isEqualTo(PROPERTIES.requireAvailableGpus());
        assertThat(policy.slashHalfLifeBlocks()).isEqualTo(PROPERTIES.slashHalfLifeBlocks());
    }

    @Test
    void anEmptySpecIsThePropertiesPolicy() {
        assertThat(new MatchingPolicySpec().over(PROPERTIES)).isEqualTo(PROPERTIES);
        assertThat(new MatchingPolicySpec().over(PROPERTIES).fingerprint()).isEqualTo(PROPERTIES.fingerprint());
    }

    @Test
    void aNegativeWeightIsRefusedNamingTheField() {
        MatchingPolicySpec spec = new MatchingPolicySpec();
        spec.setWeights(new MatchingPolicySpec.Weights());
        spec.getWeights().setUptime(-0.1);

        assertThatThrownBy(() -> spec.over(PROPERTIES)).isInstanceOf(InvalidPolicy.class)
                .hasMessageContaining("spec.weights.uptime").hasMessageContaining("-0.1")
                .extracting(e -> ((InvalidPolicy) e).field()).isEqualTo("spec.weights.uptime");
    }

    @Test
    void weightsThatCannotRaiseAnyScoreAreRefused() {
        MatchingPolicySpec spec = new MatchingPolicySpec();
        MatchingPolicySpec.Weights zero = new MatchingPolicySpec.Weights();
        zero.setPlacement(0.0);
        zero.setPrice(0.0);
        zero.setUptime(0.0);
        zero.setReputation(0.0);
        zero.setAvailability(0.0);
        spec.setWeights(zero);

        assertThatThrownBy(() -> spec.over(PROPERTIES)).isInstanceOf(InvalidPolicy.class)
                .extracting(e -> ((InvalidPolicy) e).field()).isEqualTo("spec.weights");
    }

    @Test
    void drawAndHalfLifeOutOfRangeAreRefusedNamingTheField() {
        MatchingPolicySpec draw = new MatchingPolicySpec();
        draw.setDrawSize(0);
        assertThatThrownBy(() -> draw.over(PROPERTIES)).hasMessageStartingWith("spec.drawSize:");

        MatchingPolicySpec margin = new MatchingPolicySpec();
        margin.setDrawMargin(Double.POSITIVE_INFINITY);
        assertThatThrownBy(() -> margin.over(PROPERTIES)).hasMessageStartingWith("spec.drawMargin:");

        MatchingPolicySpec halfLife = new MatchingPolicySpec();
        halfLife.setSlashHalfLifeBlocks(0L);
        assertThatThrownBy(() -> halfLife.over(PROPERTIES)).hasMessageStartingWith("spec.slashHalfLifeBlocks:");
    }

    @Test
    void theFingerprintChangesWithEveryParameterAndOnlyWithThem() {
        ScoringPolicy base = ScoringPolicy.defaults();
        assertThat(base.fingerprint()).isEqualTo(ScoringPolicy.defaults().fingerprint()).startsWith("sha256:").hasSize(23);
        assertThat(java.util.stream.Stream.of(
                        base.withWeights(new ScoringPolicy.Weights(0.26, 0.30, 0.15, 0.15, 0.05, 0.30)),
                        base.withWeights(new ScoringPolicy.Weights(0.25, 0.30, 0.15, 0.15, 0.05, 0.31)),
                        base.withDraw(4, 0.1),
                        base.withDraw(5, 0.2),
                        new ScoringPolicy(base.weights(), false, 5, 0.1, 7200),
                        new ScoringPolicy(base.weights(), true, 5, 0.1, 7201))
                .map(ScoringPolicy::fingerprint))
                .doesNotHaveDuplicates().doesNotContain(base.fingerprint());
    }
}
