package org.openspheron.matchmaker.api;

import org.openspheron.matchmaker.policy.EffectivePolicy;
import org.openspheron.matchmaker.scoring.ScoringPolicy;

/**
 * The scoring policy this operator makes new decisions with. Public like the decisions themselves: operators compare
 * fingerprints with their peers' to find out why they picked differently.
 *
 * @param fingerprint SHA-256 of {@code canonical}, shortened
 * @param source {@code properties (...)} or the MatchingPolicy and generation it came from
 * @param canonical the policy as key=value text, the input of the fingerprint
 */
public record PolicyView(String fingerprint, String source, String canonical, ScoringPolicy.Weights weights,
                         boolean requireAvailableGpus, int drawSize, double drawMargin, long slashHalfLifeBlocks) {

    static PolicyView of(EffectivePolicy.InUse inUse) {
        ScoringPolicy p = inUse.policy();
        return new PolicyView(inUse.fingerprint(), inUse.source(), p.canonical(), p.weights(), p.requireAvailableGpus(),
                p.drawSize(), p.drawMargin(), p.slashHalfLifeBlocks());
    }
}
