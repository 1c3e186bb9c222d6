package org.openspheron.matchmaker.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the matchmaker made of the policy: written from the policy it actually ranks with, never the one asked for. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MatchingPolicyStatus {
    @JsonPropertyDescription("The metadata.generation this status describes.")
    private Long observedGeneration;

    @JsonPropertyDescription("Ready: True when this generation is the policy in use; False (reason InvalidPolicy) "
            + "when it was refused and the previous policy stays in use.")
    private List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("SHA-256 of the policy this matchmaker ranks bids with; peers must show the same one "
            + "to pick the same bids.")
    private String fingerprint;

    @JsonPropertyDescription("That policy in full, as key=value pairs; the fingerprint hashes this text.")
    private String effectivePolicy;

    public Long getObservedGeneration() { return observedGeneration; }
    public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
    public List<Condition> getConditions() { return conditions; }
    public void setConditions(List<Condition> conditions) { this.conditions = conditions; }
    public String getFingerprint() { return fingerprint; }
    public void setFingerprint(String fingerprint) { this.fingerprint = fingerprint; }
    public String getEffectivePolicy() { return effectivePolicy; }
    public void setEffectivePolicy(String effectivePolicy) { this.effectivePolicy = effectivePolicy; }
}
