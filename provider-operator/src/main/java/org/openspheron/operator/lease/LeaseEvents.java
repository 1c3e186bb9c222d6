package org.openspheron.operator.lease;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.openspheron.operator.crd.Condition;
import org.openspheron.operator.crd.EventRecorder.Note;
import org.openspheron.operator.lease.SpheronLeaseStatus.Phase;

/**
 * What a change of a SpheronLease's status is worth telling the provider as Events: each phase it enters, the
 * namespace becoming ready, each new reconcile failure and a namespace stuck Terminating. A pure function of the
 * status before and after, so a reconcile that observes nothing new tells nothing.
 */
final class LeaseEvents {
    private LeaseEvents() {
    }

    static List<Note> between(SpheronLeaseStatus before, SpheronLeaseStatus after) {
        List<Note> notes = new ArrayList<>();
        Phase was = before == null ? null : before.getPhase();
        if (after.getPhase() != null && after.getPhase() != was) {
            String message = after.getMessage() == null ? "" : after.getMessage();
            notes.add(after.getPhase() == Phase.Failed ? Note.warning("LeaseFailed", message) : Note.normal(after.getPhase().name(), message));
        }
        Optional<Condition> readyBefore = condition(before, SpheronLeaseReconciler.NAMESPACE_READY);
        Optional<Condition> readyAfter = condition(after, SpheronLeaseReconciler.NAMESPACE_READY);
        if (readyAfter.isPresent()) {
            Condition now = readyAfter.get();
            boolean changed = readyBefore.map(c -> !Objects.equals(c.getStatus(), now.getStatus()) || !Objects.equals(c.getReason(), now.getReason())
                    || !Objects.equals(c.getMessage(), now.getMessage())).orElse(true);
            if (changed && Condition.TRUE.equals(now.getStatus())) {
                notes.add(Note.normal("NamespaceReady", now.getMessage()));
            } else if (changed && SpheronLeaseReconciler.RECONCILE_ERROR.equals(now.getReason())) {
                notes.add(Note.warning(SpheronLeaseReconciler.RECONCILE_ERROR, now.getMessage()));
            }
        }
        Optional<Condition> stuckBefore = condition(before, SpheronLeaseReconciler.NAMESPACE_STUCK);
        Optional<Condition> stuckAfter = condition(after, SpheronLeaseReconciler.NAMESPACE_STUCK);
        if (stuckAfter.filter(c -> Condition.TRUE.equals(c.getStatus())).isPresent()
                && !stuckBefore.filter(c -> Condition.TRUE.equals(c.getStatus())).isPresent()) {
            notes.add(Note.warning("NamespaceStuckTerminating", stuckAfter.get().getMessage()));
        }
        return notes;
    }

    private static Optional<Condition> condition(SpheronLeaseStatus status, String type) {
        return status == null ? Optional.empty() : status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
    }
}
