package org.openspheron.matchmaker.policy;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jboss.logging.Logger;
import org.openspheron.matchmaker.scoring.ScoringPolicy;

/**
 * Follows one MatchingPolicy and applies it to {@link EffectivePolicy}. Level-triggered: every event (and a periodic
 * resync) recomputes the effective policy from the object as it is, so a missed event or a reconnect after the API
 * server went away converges. The API server being away never stops matching: the last policy in use stays.
 */
public final class MatchingPolicyWatch implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(MatchingPolicyWatch.class);
    public static final String READY = "Ready";
    public static final String APPLIED = "Applied";
    public static final String INVALID = "InvalidPolicy";
    /** Re-checks the object (and rewrites a status a failed write left stale) this often without events. */
    static final Duration RESYNC = Duration.ofMinutes(5);

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final EffectivePolicy effective;
    private SharedIndexInformer<MatchingPolicy> informer;
    /** The uid/generation last refused, so a resync of the same bad object does not log it again. */
    private String lastRefused;

    public MatchingPolicyWatch(KubernetesClient client, String namespace, String name, EffectivePolicy effective) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.effective = effective;
    }

    /** Starts watching without waiting for the API server: until it answers, the properties' policy is in use. */
    public synchronized void start() {
        LOG.infof("following MatchingPolicy %s/%s on %s", namespace, name, client.getMasterUrl());
        informer = client.resources(MatchingPolicy.class).inNamespace(namespace).withName(name)
                .runnableInformer(RESYNC.toMillis());
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(MatchingPolicy policy) {
                reconcile(policy);
            }

            @Override
            public void onUpdate(MatchingPolicy before, MatchingPolicy policy) {
                reconcile(policy);
            }

            @Override
            public void onDelete(MatchingPolicy policy, boolean finalStateUnknown) {
                if (effective.revertToProperties()) {
                    LOG.infof("MatchingPolicy %s/%s is gone; ranking with the properties' policy again", namespace, name);
                }
            }
        });
        // Keep retrying whatever the failure (API server away, CRD not installed yet, RBAC missing): the informer
        // backs off between attempts, and matching goes on with the policy in use.
        informer.exceptionHandler((started, error) -> {
            LOG.warnf("watching MatchingPolicy %s/%s: %s; retrying, still ranking with %s", namespace, name,
                    error.getMessage(), effective.current().fingerprint());
            return true;
        });
        informer.start().whenComplete((ok, error) -> {
            if (error != null) {
                LOG.warnf("MatchingPolicy %s/%s: the watch stopped: %s", namespace, name, error.getMessage());
            }
        });
    }

    /** Whether the API server has answered the first list of the policy. */
    public boolean synced() {
        SharedIndexInformer<MatchingPolicy> i = informer;
        return i != null && i.hasSynced();
    }

    synchronized void reconcile(MatchingPolicy policy) {
        Long generation = policy.getMetadata().getGeneration();
        String source = "MatchingPolicy " + namespace + "/" + name + " generation " + generation;
        ScoringPolicy wanted;
        try {
            wanted = policy.getSpec() == null ? effective.properties() : policy.getSpec().over(effective.properties());
        } catch (InvalidPolicy e) {
            EffectivePolicy.InUse kept = effective.current();
            String refused = policy.getMetadata().getUid() + "/" + generation;
            if (!refused.equals(lastRefused)) {
                LOG.errorf("%s is refused: %s; still ranking with %s from %s", source, e.getMessage(),
                        kept.fingerprint(), kept.source());
                lastRefused = refused;
            }
            writeStatus(policy, false, INVALID, e.getMessage() + "; still ranking with the policy from "
                    + kept.source());
            return;
        }
        effective.use(wanted, source);
        writeStatus(policy, true, APPLIED, "ranking new decisions with this policy");
    }

    private void writeStatus(MatchingPolicy policy, boolean ready, String reason, String message) {
        MatchingPolicyStatus previous = policy.getStatus() == null ? new MatchingPolicyStatus() : policy.getStatus();
        EffectivePolicy.InUse inUse = effective.current();
        MatchingPolicyStatus status = new MatchingPolicyStatus();
        status.setObservedGeneration(policy.getMetadata().getGeneration());
        status.setFingerprint(inUse.fingerprint());
        status.setEffectivePolicy(inUse.policy().canonical());
        status.setConditions(ready(previous.getConditions(), ready, reason, message, policy.getMetadata().getGeneration()));
        if (sameStatus(previous, status)) {
            return;
        }
        // A full replace of the status as of the version we saw (a merge patch would append to the conditions list
        // on some servers); a conflict means a newer version exists, whose event reconciles again.
        MatchingPolicy update = new MatchingPolicy();
        update.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace)
                .withResourceVersion(policy.getMetadata().getResourceVersion()).build());
        update.setSpec(policy.getSpec());
        update.setStatus(status);
        try {
            client.resources(MatchingPolicy.class).inNamespace(namespace).resource(update).updateStatus();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                LOG.debugf("MatchingPolicy %s/%s changed while writing its status; the change reconciles again",
                        namespace, name);
            } else {
                LOG.warnf("cannot write the status of MatchingPolicy %s/%s (%s); retrying on the next event or resync",
                        namespace, name, e.getMessage());
            }
        }
    }

    /** The conditions with Ready set; its transition time moves only when its status does (API conventions). */
    static List<Condition> ready(List<Condition> existing, boolean ready, String reason, String message, Long generation) {
        List<Condition> out = new ArrayList<>();
        Condition previous = null;
        for (Condition c : existing == null ? List.<Condition>of() : existing) {
            if (READY.equals(c.getType())) {
                previous = c;
            } else {
                out.add(c);
            }
        }
        String value = ready ? "True" : "False";
        String since = previous != null && value.equals(previous.getStatus()) && previous.getLastTransitionTime() != null
                ? previous.getLastTransitionTime() : Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        out.add(new ConditionBuilder().withType(READY).withStatus(value).withReason(reason).withMessage(message)
                .withObservedGeneration(generation).withLastTransitionTime(since).build());
        return out;
    }

    private static boolean sameStatus(MatchingPolicyStatus a, MatchingPolicyStatus b) {
        return Objects.equals(a.getObservedGeneration(), b.getObservedGeneration())
                && Objects.equals(a.getFingerprint(), b.getFingerprint())
                && Objects.equals(a.getEffectivePolicy(), b.getEffectivePolicy())
                && Objects.equals(a.getConditions(), b.getConditions());
    }

    @Override
    public synchronized void close() {
        if (informer != null) {
            informer.close();
        }
    }
}
