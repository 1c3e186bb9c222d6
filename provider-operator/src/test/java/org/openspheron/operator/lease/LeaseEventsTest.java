package org.openspheron.operator.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openspheron.operator.crd.Condition;
import org.openspheron.operator.crd.EventRecorder.Note;
import org.openspheron.operator.lease.SpheronLeaseStatus.Phase;

class LeaseEventsTest {
    private static SpheronLeaseStatus status(Phase phase, String message) {
        SpheronLeaseStatus status = new SpheronLeaseStatus();
        status.setPhase(phase);
        status.setMessage(message);
        return status;
    }

    @Test
    void aNewLeaseTellsItsPhaseAndThatItsNamespaceIsReady() {
        SpheronLeaseStatus after = status(Phase.PendingManifest, "waiting for the tenant's manifest");
        Condition.set(after.getConditions(), SpheronLeaseReconciler.NAMESPACE_READY, true, "Created", "namespace ready", 1L);

        assertThat(LeaseEvents.between(null, after)).containsExactly(
                Note.normal("PendingManifest", "waiting for the tenant's manifest"), Note.normal("NamespaceReady", "namespace ready"));
    }

    @Test
    void theSameStatusAgainTellsNothing() {
        SpheronLeaseStatus before = status(Phase.Running, "all services ready");
        Condition.set(before.getConditions(), SpheronLeaseReconciler.NAMESPACE_READY, true, "Created", "namespace ready", 1L);

        assertThat(LeaseEvents.between(before, Serialization.clone(before))).isEmpty();
    }

    @Test
    void aFailedLeaseAndAReconcileErrorAreWarnings() {
        SpheronLeaseStatus before = status(Phase.Running, "all services ready");
        SpheronLeaseStatus after = status(Phase.Failed, "image pull failed");
        Condition.set(after.getConditions(), SpheronLeaseReconciler.NAMESPACE_READY, false, SpheronLeaseReconciler.RECONCILE_ERROR,
                "reconcile failed, retrying: forbidden", 1L);

        List<Note> notes = LeaseEvents.between(before, after);

        assertThat(notes).containsExactly(Note.warning("LeaseFailed", "image pull failed"),
                Note.warning(SpheronLeaseReconciler.RECONCILE_ERROR, "reconcile failed, retrying: forbidden"));
        assertThat(notes).allMatch(Note::isWarning);
    }

    @Test
    void aNamespaceBecomingStuckIsAWarningOnce() {
        SpheronLeaseStatus before = status(Phase.Closing, "removing its namespace");
        SpheronLeaseStatus after = Serialization.clone(before);
        Condition.set(after.getConditions(), SpheronLeaseReconciler.NAMESPACE_STUCK, true, "Terminating", "held by a finalizer", 1L);

        assertThat(LeaseEvents.between(before, after)).containsExactly(Note.warning("NamespaceStuckTerminating", "held by a finalizer"));
        assertThat(LeaseEvents.between(after, Serialization.clone(after))).isEmpty();
    }

    @Test
    void aNamespaceIsStuckOnlyPastTheBoundAndSaysWhatHoldsIt() {
        Instant since = Instant.parse("2026-01-01T00:00:00Z");
        NamespaceRemoval removal = new NamespaceRemoval(false, since, List.of("Some content in the namespace has finalizers remaining: x in 1 resource instances"));

        assertThat(removal.stuckReason(Duration.ofMinutes(15), since.plus(Duration.ofMinutes(14)))).isEmpty();
        assertThat(removal.stuckReason(Duration.ofMinutes(15), since.plus(Duration.ofMinutes(20)))).get().asString()
                .contains("Terminating for 20m").contains("finalizers remaining: x");
        assertThat(new NamespaceRemoval(true, null, List.of()).stuckReason(Duration.ZERO, since)).isEmpty();
    }
}
