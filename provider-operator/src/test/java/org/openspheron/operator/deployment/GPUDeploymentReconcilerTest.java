package org.openspheron.operator.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.operator.Manifests.deployment;
import static org.openspheron.operator.Manifests.service;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openspheron.devnet.GpuNode;
import org.openspheron.operator.Manifests;
import org.openspheron.operator.OperatorFixture;
import org.openspheron.operator.crd.Condition;

class GPUDeploymentReconcilerTest {
    private static OperatorFixture fixture;

    @BeforeAll
    static void start() {
        fixture = OperatorFixture.start();
        // A second H100 variant: the model "H100" must select both product labels.
        fixture.cluster.addNode(new GpuNode("gpu-h100-pcie", "NVIDIA-H100-PCIe", 1, 32, 256, "eu-west-1b"));
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @AfterEach
    void clearFaults() {
        fixture.deployments.afterFirstObjectApplied(null);
    }

    private static String namespace(String name) {
        fixture.create(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build());
        return name;
    }

    private static GPUDeployment awaitPhase(String ns, String name, GPUDeploymentStatus.Phase phase) {
        return fixture.awaitValue(() -> fixture.client.resources(GPUDeployment.class).inNamespace(ns).withName(name).get(),
                d -> d.getStatus() != null && d.getStatus().getPhase() == phase);
    }

    @Test
    void podsGetTheGpuLimitAffinityOnEveryMatchingProductTolerationAndALockedDownSecurityContext() {
        String ns = namespace("pod-spec");
        WorkloadService llm = service("llm", "vllm/vllm-openai:v0.6", 1, "H100", 8000);
        llm.setEnv(Manifests.env("MODEL", "meta-llama/Llama-3-8B"));
        llm.setSecretRef("llm-secrets");
        llm.setImagePullSecretRef("registry-login");
        fixture.create(deployment(ns, "chat", null, llm));

        Deployment workload = fixture.awaitValue(() -> fixture.client.apps().deployments().inNamespace(ns).withName("llm").get(), d -> true);
        PodSpec pod = workload.getSpec().getTemplate().getSpec();
        var container = pod.getContainers().get(0);
        assertThat(container.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("1"))
                .containsEntry("cpu", new Quantity("2000m")).containsEntry("memory", new Quantity("8192Mi"))
                .containsEntry("ephemeral-storage", new Quantity("1024Mi"));
        assertThat(container.getResources().getRequests()).containsEntry("nvidia.com/gpu", new Quantity("1"));
        var requirement = pod.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms().get(0).getMatchExpressions().get(0);
        assertThat(requirement.getKey()).isEqualTo("nvidia.com/gpu.product");
        assertThat(requirement.getOperator()).isEqualTo("In");
        assertThat(requirement.getValues()).containsExactly("NVIDIA-H100-80GB-HBM3", "NVIDIA-H100-PCIe");
        assertThat(pod.getTolerations()).anySatisfy(t -> {
            assertThat(t.getKey()).isEqualTo("nvidia.com/gpu");
            assertThat(t.getOperator()).isEqualTo("Exists");
            assertThat(t.getEffect()).isEqualTo("NoSchedule");
        });
        var security = container.getSecurityContext();
        assertThat(security.getAllowPrivilegeEscalation()).isFalse();
        assertThat(security.getPrivileged()).isFalse();
        assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(security.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(container.getEnv()).anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue()).isEqualTo("MODEL=meta-llama/Llama-3-8B"));
        assertThat(container.getEnvFrom().get(0).getSecretRef().getName()).isEqualTo("llm-secrets");
        assertThat(pod.getImagePullSecrets().get(0).getName()).isEqualTo("registry-login");
        assertThat(workload.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(r -> assertThat(r.getKind()).isEqualTo("GPUDeployment"));

        Pod scheduled = fixture.awaitValue(() -> fixture.client.pods().inNamespace(ns).list().getItems().stream().findFirst().orElse(null),
                p -> p.getSpec().getNodeName() != null);
        assertThat(scheduled.getSpec().getNodeName()).startsWith("gpu-h100");
    }

    @Test
    void statusGetsUrlsAndPortMappingsFromTheAllocatedNodePorts() {
        String ns = namespace("ports");
        WorkloadService web = service("web", "nginx:1.27", 0, null, 80);
        ExposedPort internalOnly = new ExposedPort();
        internalOnly.setPort(9090);
        internalOnly.setGlobal(false);
        web.getPorts().add(internalOnly);
        fixture.create(deployment(ns, "site", null, web));

        GPUDeployment running = awaitPhase(ns, "site", GPUDeploymentStatus.Phase.Running);

        Service external = fixture.client.services().inNamespace(ns).withName("web-ext").get();
        assertThat(external.getSpec().getType()).isEqualTo("NodePort");
        assertThat(external.getSpec().getPorts()).extracting(p -> p.getPort()).containsExactly(80);
        int nodePort = external.getSpec().getPorts().get(0).getNodePort();
        Service internal = fixture.client.services().inNamespace(ns).withName("web").get();
        assertThat(internal.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(internal.getSpec().getPorts()).extracting(p -> p.getPort()).containsExactly(80, 9090);

        GPUDeploymentStatus status = running.getStatus();
        assertThat(status.getUrl()).isEqualTo("http://127.0.0.1:" + nodePort);
        assertThat(status.getForwardedPorts()).singleElement().satisfies(m -> {
            assertThat(m.getService()).isEqualTo("web");
            assertThat(m.getPort()).isEqualTo(80);
            assertThat(m.getHost()).isEqualTo("127.0.0.1");
            assertThat(m.getExternalPort()).isEqualTo(nodePort);
        });
        assertThat(status.getReadyReplicas()).isEqualTo(1);
        assertThat(status.getServices()).singleElement().satisfies(s -> assertThat(s.getUris()).containsExactly(status.getUrl()));
        assertThat(status.getObservedGeneration()).isEqualTo(running.getMetadata().getGeneration());
        assertThat(status.getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Ready");
            assertThat(c.getStatus()).isEqualTo(Condition.TRUE);
            assertThat(c.getLastTransitionTime()).isNotBlank();
        });
    }

    @Test
    void anImageThatCannotBePulledShowsInStatusWithItsReason() {
        String ns = namespace("bad-image");
        fixture.create(deployment(ns, "broken", null, service("app", "ghcr.io/nobody/does-not-exist:1", 1, "A100", 8080)));

        GPUDeployment failed = awaitPhase(ns, "broken", GPUDeploymentStatus.Phase.Failed);

        assertThat(failed.getStatus().getLastError()).contains("ErrImagePull").contains("app");
        assertThat(failed.getStatus().getServices()).singleElement().satisfies(s -> assertThat(s.getReason()).isEqualTo("ErrImagePull"));
        assertThat(failed.getStatus().getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Ready");
            assertThat(c.getStatus()).isEqualTo(Condition.FALSE);
            assertThat(c.getReason()).isEqualTo("ErrImagePull");
        });
    }

    @Test
    void aCrashLoopingPodTurnsTheDeploymentFailedWithItsReason() {
        String ns = namespace("crash-loop");
        fixture.create(deployment(ns, "loop", null, service("worker", "ghcr.io/acme/worker:1", 0, null, 8080)));
        awaitPhase(ns, "loop", GPUDeploymentStatus.Phase.Running);

        // What the kubelet reports after the container exits repeatedly.
        Pod pod = fixture.client.pods().inNamespace(ns).list().getItems().get(0);
        pod.getStatus().getContainerStatuses().get(0).setState(new io.fabric8.kubernetes.api.model.ContainerStateBuilder()
                .withNewWaiting().withReason("CrashLoopBackOff").withMessage("back-off 40s restarting failed container").endWaiting().build());
        fixture.client.pods().inNamespace(ns).resource(pod).updateStatus();

        GPUDeployment failed = awaitPhase(ns, "loop", GPUDeploymentStatus.Phase.Failed);
        assertThat(failed.getStatus().getLastError()).contains("CrashLoopBackOff").contains("back-off 40s");
        assertThat(failed.getStatus().getConditions()).anySatisfy(c -> assertThat(c.getReason()).isEqualTo("CrashLoopBackOff"));
    }

    @Test
    void aPodNoNodeHasRoomForStaysPendingWithTheSchedulersReason() {
        String ns = namespace("too-big");
        fixture.create(deployment(ns, "huge", null, service("train", "pytorch/pytorch:2.4", 4, "A100")));

        GPUDeployment pending = fixture.awaitValue(() -> fixture.client.resources(GPUDeployment.class).inNamespace(ns).withName("huge").get(),
                d -> d.getStatus() != null && d.getStatus().getLastError() != null);

        assertThat(pending.getStatus().getPhase()).isEqualTo(GPUDeploymentStatus.Phase.Pending);
        assertThat(pending.getStatus().getLastError()).contains("cannot be scheduled");
        assertThat(pending.getStatus().getServices()).singleElement().satisfies(s -> assertThat(s.getReason()).isEqualTo("Unschedulable"));
    }

    @Test
    void aGpuModelNoNodeOffersIsReportedAndNothingIsScheduled() {
        String ns = namespace("no-model");
        fixture.create(deployment(ns, "future", null, service("train", "pytorch/pytorch:2.4", 8, "B200")));

        GPUDeployment pending = fixture.awaitValue(() -> fixture.client.resources(GPUDeployment.class).inNamespace(ns).withName("future").get(),
                d -> d.getStatus() != null && d.getStatus().getLastError() != null);

        assertThat(pending.getStatus().getPhase()).isEqualTo(GPUDeploymentStatus.Phase.Pending);
        assertThat(pending.getStatus().getLastError()).contains("no node offers GPU model B200");
        assertThat(pending.getStatus().getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("GpuAvailable");
            assertThat(c.getStatus()).isEqualTo(Condition.FALSE);
            assertThat(c.getReason()).isEqualTo("GpuModelUnavailable");
        });
        assertThat(fixture.client.apps().deployments().inNamespace(ns).list().getItems()).isEmpty();
    }

    @Test
    void aServiceWithPersistentVolumesRunsAsAStatefulSet() {
        String ns = namespace("stateful");
        fixture.create(deployment(ns, "db", null, Manifests.withVolume(service("pg", "postgres:16", 0, null, 5432), "data", 20480, "/var/lib/postgresql")));

        StatefulSet set = fixture.awaitValue(() -> fixture.client.apps().statefulSets().inNamespace(ns).withName("pg").get(), s -> true);

        assertThat(set.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(c -> {
            assertThat(c.getMetadata().getName()).isEqualTo("data");
            assertThat(c.getSpec().getResources().getRequests()).containsEntry("storage", new Quantity("20480Mi"));
        });
        assertThat(set.getSpec().getTemplate().getSpec().getContainers().get(0).getVolumeMounts())
                .singleElement().satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/var/lib/postgresql"));
        assertThat(fixture.client.apps().deployments().inNamespace(ns).list().getItems()).isEmpty();
        awaitPhase(ns, "db", GPUDeploymentStatus.Phase.Running);
    }

    @Test
    void aSecondReconcileWritesNothing() {
        String ns = namespace("idempotent");
        fixture.create(deployment(ns, "steady", null, service("api", "ghcr.io/acme/api:1", 1, "A100", 8080)));
        awaitPhase(ns, "steady", GPUDeploymentStatus.Phase.Running);
        Map<String, String> before = resourceVersions(ns, "steady");

        AtomicInteger passes = new AtomicInteger();
        fixture.deployments.afterFirstObjectApplied(d -> {
            if (d.getMetadata().getName().equals("steady")) {
                passes.incrementAndGet();
            }
        });
        // Any pod event makes the reconciler run a full pass.
        Pod pod = fixture.client.pods().inNamespace(ns).list().getItems().get(0);
        fixture.client.pods().inNamespace(ns).withName(pod.getMetadata().getName())
                .edit(p -> { p.getMetadata().setAnnotations(Map.of("touched", "yes")); return p; });
        fixture.awaitValue(passes::get, n -> n >= 1);
        sleep(500);

        assertThat(resourceVersions(ns, "steady")).isEqualTo(before);
    }

    @Test
    void aCrashAfterTheFirstObjectConvergesOnTheNextReconcile() {
        String ns = namespace("crash");
        AtomicInteger crashes = new AtomicInteger();
        fixture.deployments.afterFirstObjectApplied(d -> {
            if (d.getMetadata().getName().equals("flaky") && crashes.getAndIncrement() == 0) {
                throw new IllegalStateException("injected crash between steps");
            }
        });
        fixture.create(deployment(ns, "flaky", null, service("api", "ghcr.io/acme/api:1", 0, null, 8080)));

        GPUDeployment running = awaitPhase(ns, "flaky", GPUDeploymentStatus.Phase.Running);

        assertThat(crashes.get()).isGreaterThan(1);
        assertThat(fixture.client.services().inNamespace(ns).withName("api").get()).isNotNull();
        assertThat(running.getStatus().getUrl()).startsWith("http://127.0.0.1:");
    }

    @Test
    void anOwnedObjectDeletedByHandIsRecreated() {
        String ns = namespace("deleted");
        fixture.create(deployment(ns, "heal", null, service("api", "ghcr.io/acme/api:1", 0, null, 8080)));
        awaitPhase(ns, "heal", GPUDeploymentStatus.Phase.Running);
        String uid = fixture.client.services().inNamespace(ns).withName("api-ext").get().getMetadata().getUid();

        fixture.client.services().inNamespace(ns).withName("api-ext").delete();

        Service recreated = fixture.awaitValue(() -> fixture.client.services().inNamespace(ns).withName("api-ext").get(),
                s -> !s.getMetadata().getUid().equals(uid));
        assertThat(recreated.getSpec().getType()).isEqualTo("NodePort");
    }

    private static Map<String, String> resourceVersions(String ns, String name) {
        Map<String, String> versions = new java.util.TreeMap<>();
        versions.put("gpudeployment", fixture.client.resources(GPUDeployment.class).inNamespace(ns).withName(name).get().getMetadata().getResourceVersion());
        for (var d : fixture.client.apps().deployments().inNamespace(ns).list().getItems()) {
            versions.put("deployment/" + d.getMetadata().getName(), d.getMetadata().getResourceVersion());
        }
        for (var s : fixture.client.services().inNamespace(ns).list().getItems()) {
            versions.put("service/" + s.getMetadata().getName(), s.getMetadata().getResourceVersion());
        }
        assertThat(versions).hasSizeGreaterThanOrEqualTo(4);
        return versions;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @SuppressWarnings("unused")
    private static List<Pod> pods(String ns) {
        return fixture.client.pods().inNamespace(ns).list().getItems();
    }
}
