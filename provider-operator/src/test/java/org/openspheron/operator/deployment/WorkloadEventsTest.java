package org.openspheron.operator.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;
import org.openspheron.operator.crd.Condition;
import org.openspheron.operator.crd.EventRecorder.Note;
import org.openspheron.operator.deployment.GPUDeploymentStatus.Phase;

class WorkloadEventsTest {
    private static GPUDeploymentStatus status(Phase phase, boolean ready, String reason, String message) {
        GPUDeploymentStatus status = new GPUDeploymentStatus();
        status.setPhase(phase);
        Condition.set(status.getConditions(), WorkloadObservation.READY, ready, reason, message, 1L);
        return status;
    }

    @Test
    void waitingForReplicasIsProgressNotAProblem() {
        GPUDeploymentStatus pending = status(Phase.Pending, false, "ReplicasNotReady", "waiting for replicas to become ready");

        assertThat(WorkloadEvents.between(null, pending)).containsExactly(Note.normal("Pending", "waiting for replicas to become ready"));
        assertThat(WorkloadEvents.between(pending, Serialization.clone(pending))).isEmpty();
    }

    @Test
    void aProblemIsAWarningNamedByItsReasonOncePerChange() {
        GPUDeploymentStatus pending = status(Phase.Pending, false, "ReplicasNotReady", "waiting");
        GPUDeploymentStatus pulling = status(Phase.Pending, false, "ImagePullBackOff", "service web: image nginx:404 cannot be pulled");

        assertThat(WorkloadEvents.between(pending, pulling)).containsExactly(
                Note.warning("ImagePullBackOff", "service web: image nginx:404 cannot be pulled"));
        assertThat(WorkloadEvents.between(pulling, Serialization.clone(pulling))).isEmpty();
    }

    @Test
    void runningTellsTheUrlAndFailedTellsTheErrorOnce() {
        GPUDeploymentStatus pending = status(Phase.Pending, false, "ReplicasNotReady", "waiting");
        GPUDeploymentStatus running = status(Phase.Running, true, "AllServicesReady", "every service has its replicas ready");
        running.setUrl("http://203.0.113.7:31000");
        GPUDeploymentStatus failed = status(Phase.Failed, false, "CrashLoopBackOff", "service web keeps crashing");
        failed.setLastError("service web keeps crashing");

        assertThat(WorkloadEvents.between(pending, running)).containsExactly(
                Note.normal("Running", "every service has its replicas ready; reachable at http://203.0.113.7:31000"));
        assertThat(WorkloadEvents.between(running, failed)).containsExactly(Note.warning("Failed", "service web keeps crashing"));
    }
}
