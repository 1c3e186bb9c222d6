package org.openspheron.operator.lease;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import org.openspheron.operator.crd.Condition;

/** What the operator observed of the lease, in the cluster and on chain. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SpheronLeaseStatus {
    /** Where the lease is in its life. */
    public enum Phase { PendingManifest, Deploying, Running, Closing, Closed, Failed }

    private Phase phase;
    private Long observedGeneration;
    private String namespace;
    private String deployment;
    private Boolean confirmedOnChain;
    private String chainMessage;
    private String message;
    private String endedAt;
    private List<Condition> conditions = new ArrayList<>();

    public Phase getPhase() { return phase; }
    public void setPhase(Phase phase) { this.phase = phase; }
    public Long getObservedGeneration() { return observedGeneration; }
    public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
    public String getNamespace() { return namespace; }
    public void setNamespace(String namespace) { this.namespace = namespace; }
    public String getDeployment() { return deployment; }
    public void setDeployment(String deployment) { this.deployment = deployment; }
    public Boolean getConfirmedOnChain() { return confirmedOnChain; }
    public void setConfirmedOnChain(Boolean confirmedOnChain) { this.confirmedOnChain = confirmedOnChain; }
    /**
     * What the chain side could not do or did on its own about this lease, with why: a confirmation the chain
     * refused, a decline of a lease that got no manifest or never became ready. Written by the lease watcher (like
     * {@code confirmedOnChain}); each also an Event.
     */
    public String getChainMessage() { return chainMessage; }
    public void setChainMessage(String chainMessage) { this.chainMessage = chainMessage; }
    public String getMessage() { return message; }
    public void setMessage(String message) { this.message = message; }
    /** When the lease's namespace was found gone after the lease ended (RFC 3339); the object is deleted a retention period later. */
    public String getEndedAt() { return endedAt; }
    public void setEndedAt(String endedAt) { this.endedAt = endedAt; }
    public List<Condition> getConditions() { return conditions; }
    public void setConditions(List<Condition> conditions) { this.conditions = conditions; }
}
