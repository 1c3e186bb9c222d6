package org.openspheron.operator.deployment;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.openspheron.operator.crd.Condition;
import org.openspheron.operator.crd.EventRecorder.Note;
import org.openspheron.operator.deployment.GPUDeploymentStatus.Phase;

/**
 * What a change of a GPUDeployment's status is worth telling as Events: the phase it enters, and each new problem
 * its pods or objects show (an image that cannot be pulled, a quota that refuses a pod, a GPU model no node offers,
 * a reconcile error), with the reason of the Ready condition as the Event's reason. Waiting for replicas or for
 * an external port is progress, not a problem, and tells nothing. A pure function of the status before and after.
 */
final class WorkloadEvents {
    private static final Set<String> PROGRESS = Set.of("AllServicesReady", "ReplicasNotReady", "AwaitingExternalAddress");

    private WorkloadEvents() {
    }

    static List<Note> between(GPUDeploymentStatus before, GPUDeploymentStatus after) {
        List<Note> notes = new ArrayList<>();
        Phase was = before == null ? null : before.getPhase();
        Phase now = after.getPhase();
        Optional<Condition> readyBefore = ready(before);
        Optional<Condition> readyAfter = ready(after);
        if (now != null && now != was) {
            switch (now) {
                case Running -> notes.add(Note.normal("Running", "every service has its replicas ready"
                        + (after.getUrl() == null ? "" : "; reachable at " + after.getUrl())));
                case Failed -> notes.add(Note.warning("Failed", Optional.ofNullable(after.getLastError()).orElse("the workload failed")));
                case Degraded -> notes.add(Note.warning("Degraded", Optional.ofNullable(after.getLastError()).orElse("some replicas are not ready")));
                case Pending -> notes.add(Note.normal("Pending", readyAfter.map(Condition::getMessage).orElse("waiting for replicas")));
            }
        }
        if (readyAfter.isPresent() && now != Phase.Failed) {
            Condition c = readyAfter.get();
            boolean problem = Condition.FALSE.equals(c.getStatus()) && c.getReason() != null && !PROGRESS.contains(c.getReason());
            boolean changed = readyBefore.map(b -> !Objects.equals(b.getReason(), c.getReason()) || !Objects.equals(b.getMessage(), c.getMessage()))
                    .orElse(true);
            if (problem && changed) {
                notes.add(Note.warning(c.getReason(), c.getMessage()));
            }
        }
        return notes;
    }

    private static Optional<Condition> ready(GPUDeploymentStatus status) {
        return status == null ? Optional.empty()
                : status.getConditions().stream().filter(c -> WorkloadObservation.READY.equals(c.getType())).findFirst();
    }
}
