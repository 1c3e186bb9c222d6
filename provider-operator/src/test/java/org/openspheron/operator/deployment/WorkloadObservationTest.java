package org.openspheron.operator.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.operator.Manifests.deployment;
import static org.openspheron.operator.Manifests.service;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.openspheron.operator.crd.Condition;
import org.openspheron.operator.crd.ObjectLabels;

/**
 * The status a GPUDeployment gets from what the cluster shows, without a cluster: for what hollow nodes never
 * produce (image pulls always succeed there, containers never exit) but real kubelets report.
 */
class WorkloadObservationTest {
    private static final GPUDeployment BROKEN = deployment("lease-1", "broken", 1L, service("app", "ghcr.io/nobody/does-not-exist:1", 1, "A100", 8080));

    static {
        BROKEN.getMetadata().setGeneration(3L);
    }

    @Test
    void anImageThatCannotBePulledFailsTheDeploymentWithItsReason() {
        GPUDeploymentStatus status = observe(waitingPod("ErrImagePull", "pull access denied for ghcr.io/nobody/does-not-exist"));

        assertThat(status.getPhase()).isEqualTo(GPUDeploymentStatus.Phase.Failed);
        assertThat(status.getLastError()).contains("ErrImagePull").contains("app").contains("pull access denied");
        assertThat(status.getServices()).singleElement().satisfies(s -> assertThat(s.getReason()).isEqualTo("ErrImagePull"));
        assertThat(status.getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Ready");
            assertThat(c.getStatus()).isEqualTo(Condition.FALSE);
            assertThat(c.getReason()).isEqualTo("ErrImagePull");
            assertThat(c.getObservedGeneration()).isEqualTo(3L);
        });
    }

    @Test
    void aCrashLoopingContainerFailsTheDeploymentWithItsReason() {
        GPUDeploymentStatus status = observe(waitingPod("CrashLoopBackOff", "back-off 40s restarting failed container"));

        assertThat(status.getPhase()).isEqualTo(GPUDeploymentStatus.Phase.Failed);
        assertThat(status.getLastError()).contains("CrashLoopBackOff").contains("back-off 40s");
        assertThat(status.getConditions()).anySatisfy(c -> assertThat(c.getReason()).isEqualTo("CrashLoopBackOff"));
    }

    @Test
    void aContainerStillCreatingIsOnlyPending() {
        GPUDeploymentStatus status = observe(waitingPod("ContainerCreating", null));

        assertThat(status.getPhase()).isEqualTo(GPUDeploymentStatus.Phase.Pending);
        assertThat(status.getLastError()).doesNotContain("ContainerCreating");
    }

    @Test
    void aSecretCacheTimeoutOnALoadedNodeIsPendingWhileTheKubeletRetries() {
        // What a loaded 2-core CI machine showed: the kubelet waits one second for its Secret watch to sync, then
        // reports CreateContainerConfigError and retries the pod a few seconds later, which then starts.
        Instant created = Instant.parse("2026-12-04T18:00:00Z");
        Pod pod = waitingPod("CreateContainerConfigError", "failed to sync secret cache: timed out waiting for the condition");
        pod.getMetadata().setCreationTimestamp(created.toString());

        WorkloadObservation observation = observation(pod).retryGrace(Duration.ofMinutes(2), created.plusSeconds(30));
        GPUDeploymentStatus status = observation.status(BROKEN, null, Map.of());

        assertThat(status.getPhase()).isEqualTo(GPUDeploymentStatus.Phase.Pending);
        assertThat(status.getLastError()).contains("CreateContainerConfigError").contains("failed to sync secret cache")
                .contains("the kubelet retries");
        assertThat(status.getServices()).singleElement().satisfies(s -> assertThat(s.getReason()).isEqualTo("CreateContainerConfigError"));
        assertThat(observation.recheckAfter()).contains(Duration.ofSeconds(90));
    }

    @Test
    void aContainerErrorThatOutlastsTheRetryGraceFailsTheDeployment() {
        Instant created = Instant.parse("2026-12-04T18:00:00Z");
        Pod pod = waitingPod("CreateContainerConfigError", "secret \"gone\" not found");
        pod.getMetadata().setCreationTimestamp(created.toString());

        WorkloadObservation observation = observation(pod).retryGrace(Duration.ofMinutes(2), created.plusSeconds(121));
        GPUDeploymentStatus status = observation.status(BROKEN, null, Map.of());

        assertThat(status.getPhase()).isEqualTo(GPUDeploymentStatus.Phase.Failed);
        assertThat(status.getLastError()).contains("secret \"gone\" not found").contains("for more than 120s");
        assertThat(observation.recheckAfter()).isEmpty();
    }

    @Test
    void aQuotaRefusalIsNamedAsSuch() {
        Deployment refused = new DeploymentBuilder().withNewMetadata().withName("app").endMetadata()
                .withNewStatus().withReplicas(0).addNewCondition().withType("ReplicaFailure").withStatus("True")
                .withReason("FailedCreate").withMessage("pods \"app-5d4f-x2x9q\" is forbidden: exceeded quota: lease-quota, "
                        + "requested: requests.nvidia.com/gpu=1, used: requests.nvidia.com/gpu=1, limited: requests.nvidia.com/gpu=1")
                .endCondition().endStatus().build();

        GPUDeploymentStatus status = new WorkloadObservation(List.of(refused), List.of(), List.of(), List.of(), List.of(),
                Optional.empty()).status(BROKEN, null, Map.of());

        assertThat(status.getPhase()).isEqualTo(GPUDeploymentStatus.Phase.Failed);
        assertThat(status.getServices()).singleElement().satisfies(s -> assertThat(s.getReason()).isEqualTo("QuotaExceeded"));
        assertThat(status.getLastError()).startsWith("service app: the lease quota refuses its pods: ");
    }

    private static GPUDeploymentStatus observe(Pod pod) {
        return observation(pod).status(BROKEN, null, Map.of());
    }

    private static WorkloadObservation observation(Pod pod) {
        Deployment workload = new DeploymentBuilder().withNewMetadata().withName("app").endMetadata()
                .withNewStatus().withReplicas(1).withReadyReplicas(0).endStatus().build();
        return new WorkloadObservation(List.of(workload), List.of(), List.of(), List.of(pod), List.of(), Optional.empty());
    }

    private static Pod waitingPod(String reason, String message) {
        return new PodBuilder()
                .withNewMetadata().withName("app-5d4f-abcde").withNamespace("lease-1")
                .addToLabels(ObjectLabels.DEPLOYMENT, "broken").addToLabels(ObjectLabels.SERVICE, "app").endMetadata()
                .withNewSpec().withNodeName("gpu-a100-a").endSpec()
                .withNewStatus().withPhase("Pending").addNewContainerStatus().withName("app").withReady(false)
                .withNewState().withNewWaiting().withReason(reason).withMessage(message).endWaiting().endState()
                .endContainerStatus().endStatus()
                .build();
    }
}
