package org.openspheron.matchmaker.policy;

import java.util.function.Supplier;
import org.jboss.logging.Logger;
import org.openspheron.matchmaker.scoring.Scorer;
import org.openspheron.matchmaker.scoring.ScoringPolicy;

/**
 * The scoring policy new decisions are made with: the properties' one, or a MatchingPolicy laid over it. The scorer
 * itself stays a pure function of its policy; swapping the whole scorer at once means a decision never mixes two
 * policies. Decisions already made keep the policy they were made with (their signatures are out).
 */
public final class EffectivePolicy implements Supplier<Scorer> {
    private static final Logger LOG = Logger.getLogger(EffectivePolicy.class);
    public static final String PROPERTIES = "properties (spheron.matchmaker.scoring.*)";

    private final ScoringPolicy properties;
    private volatile InUse current;

    /** The policy in use and where it came from. */
    public record InUse(Scorer scorer, String source) {
        public ScoringPolicy policy() {
            return scorer.policy();
        }

        public String fingerprint() {
            return scorer.policy().fingerprint();
        }
    }

    public EffectivePolicy(ScoringPolicy properties) {
        this.properties = properties;
        this.current = new InUse(new Scorer(properties), PROPERTIES);
        LOG.infof("scoring policy %s from %s: %s", properties.fingerprint(), PROPERTIES, properties.canonical());
    }

    /** The scorer for a new decision. */
    @Override
    public Scorer get() {
        return current.scorer();
    }

    public InUse current() {
        return current;
    }

    public ScoringPolicy properties() {
        return properties;
    }

    /**
     * Ranks new decisions with {@code policy} from now on.
     *
     * @return whether the policy changed (a new source with an equal policy is no change)
     */
    public synchronized boolean use(ScoringPolicy policy, String source) {
        InUse previous = current;
        if (previous.policy().equals(policy)) {
            if (!previous.source().equals(source)) {
                LOG.infof("scoring policy %s unchanged, now from %s", policy.fingerprint(), source);
            }
            current = new InUse(previous.scorer(), source);
            return false;
        }
        current = new InUse(new Scorer(policy), source);
        LOG.infof("scoring policy changed from %s to %s, from %s: %s (peers that have not changed theirs will pick "
                + "differently)", previous.fingerprint(), policy.fingerprint(), source, policy.canonical());
        return true;
    }

    /** Back to the properties' policy, e.g. when the MatchingPolicy is deleted. */
    public boolean revertToProperties() {
        return use(properties, PROPERTIES);
    }
}
