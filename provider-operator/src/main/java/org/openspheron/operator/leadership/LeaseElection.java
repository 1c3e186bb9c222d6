package org.openspheron.operator.leadership;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.jboss.logging.Logger;

/**
 * Leader election on a {@code coordination.k8s.io} Lease, run by java-operator-sdk: JOSDK starts the reconcilers only
 * on the leader, and the callbacks here start and stop the {@link Leadership}'s duties with them.
 *
 * <p>A replica that loses the Lease (it could not renew within the renew deadline, e.g. cut off from the API server)
 * stops its duties first and then calls {@code onLost}, which in the application exits the process with a non-zero
 * code: JOSDK keeps its reconcilers running after a loss, and a half-leader must not keep sending transactions, so
 * Kubernetes restarts it as a fresh follower. A clean stop ({@link #stepDown}, then {@link #release}) is not a loss:
 * it hands the Lease over at once, where JOSDK alone would let it expire (its elector never releases on cancel).
 */
public final class LeaseElection {
    private static final Logger LOG = Logger.getLogger(LeaseElection.class);

    /** Where the Lease is, who this replica is, and the timing (renew deadline shorter than the Lease). */
    public record Settings(String namespace, String leaseName, String identity, Duration leaseDuration,
            Duration renewDeadline, Duration retryPeriod) {
        public Settings {
            if (renewDeadline.compareTo(leaseDuration) >= 0) {
                throw new IllegalArgumentException("the renew deadline (" + renewDeadline + ") must be shorter than the"
                        + " lease duration (" + leaseDuration + "), or a replica could still act after another took over");
            }
            if (retryPeriod.compareTo(renewDeadline) >= 0) {
                throw new IllegalArgumentException("the retry period (" + retryPeriod + ") must be shorter than the"
                        + " renew deadline (" + renewDeadline + ")");
            }
        }

        @Override
        public String toString() {
            return "Lease " + namespace + "/" + leaseName + " as " + identity;
        }
    }

    private final Settings settings;
    private final Leadership leadership;
    private final Runnable onLost;
    private volatile boolean stopping;

    /** @param onLost what to do once the duties stopped after leadership was lost (not on a clean stop) */
    public LeaseElection(Settings settings, Leadership leadership, Runnable onLost) {
        this.settings = settings;
        this.leadership = leadership;
        this.onLost = onLost;
    }

    public Settings settings() {
        return settings;
    }

    /** The configuration to start JOSDK's operator with. */
    public LeaderElectionConfiguration configuration() {
        return LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(settings.leaseName())
                .withLeaseNamespace(settings.namespace())
                .withIdentity(settings.identity())
                .withLeaseDuration(settings.leaseDuration())
                .withRenewDeadline(settings.renewDeadline())
                .withRetryPeriod(settings.retryPeriod())
                .withLeaderCallbacks(new LeaderCallbacks(this::started, this::stopped, this::newLeader))
                // JOSDK would System.exit(1) also while the application is stopping; this class exits only on a loss.
                .withExitOnStopLeading(false)
                .build();
    }

    private void started() {
        LOG.infof("%s: this replica leads; starting the chain duties", settings);
        leadership.elected();
    }

    private void stopped() {
        leadership.ended();
        if (!stopping) {
            LOG.errorf("%s: leadership lost; the chain duties are stopped and the process exits for a clean restart",
                    settings);
            onLost.run();
        }
    }

    private void newLeader(String identity) {
        if (identity != null && !identity.isEmpty() && !identity.equals(settings.identity())) {
            LOG.infof("%s: %s leads; this replica serves the gateway and waits", settings, identity);
        }
    }

    /** Before a clean stop: stops the duties; the end of leadership that follows is not a loss. */
    public void stepDown() {
        stopping = true;
        leadership.ended();
    }

    /**
     * After the operator stopped (no more renewals): empties the Lease if this replica still holds it, so the other
     * replica takes over within its retry period rather than after the Lease expires. The write is conditional on the
     * Lease's resourceVersion, so it never empties a Lease another replica renewed in between.
     */
    public void release(KubernetesClient client) {
        LeaseLock lock = new LeaseLock(settings.namespace(), settings.leaseName(), settings.identity());
        try {
            LeaderElectionRecord current = lock.get(client);
            if (current == null || !settings.identity().equals(current.getHolderIdentity())) {
                return;
            }
            ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
            lock.update(client, new LeaderElectionRecord(null, Duration.ofSeconds(1), now, now,
                    current.getLeaderTransitions()));
            LOG.infof("%s: released", settings);
        } catch (KubernetesClientException e) {
            // 409: another replica wrote the Lease in between, so it is no longer ours to release
            LOG.warnf("%s: not released (%s); the other replica takes over when it expires", settings, e.getMessage());
        }
    }
}
