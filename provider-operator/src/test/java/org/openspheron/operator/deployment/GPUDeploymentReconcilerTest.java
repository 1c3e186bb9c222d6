package org.openspheron.operator.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.openspheron.operator.Manifests.deployment;
import static org.openspheron.operator.Manifests.service;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
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

/**
 * The GPUDeployment reconciler on a real control plane: the scheduler places its pods on hollow GPU nodes, the
 * controllers run them, the garbage collector removes what it owns. Each test has a namespace of its own; the
 * GPUs the tests hold together stay within the nodes' (3 H100, 2 A100), so no test waits for another's.
 * What hollow nodes cannot show (image pull failures, crash loops) is covered in {@link WorkloadObservationTest}.
 */
class GPUDeploymentReconcilerTest {
    private static OperatorFixture fixture;

    @BeforeAll
    static void start() {
        fixture = OperatorFixture.start();
        // A second H100 variant: the model "H100" must select both product labels.
        fixture.cluster.addNode(new GpuNode("gpu-h100-pcie", "NVIDIA-H100-PCIe", 1, 32, 256, "eu-west-1b"));
        // Statically provisioned volumes for StatefulSets' claims (the cluster has no dynamic provisioner).
        fixture.cluster.addVolumes(2, "100Gi");
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @AfterEach
    void clearFaults() {
        fixture.deployments.afterFirstObjectApplied(null);
    }

    private static String namespace(String name) {
        fixture.create(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build());
        return name;
    }

    private static GPUDeployment read(String ns, String name) {
        return fixture.client.resources(GPUDeployment.class).inNamespace(ns).withName(name).get();
    }

    private static GPUDeployment awaitPhase(String ns, String name, GPUDeploymentStatus.Phase phase) {
        return fixture.awaitValue(() -> read(ns, name), d -> d.getStatus() != null && d.getStatus().getPhase() == phase);
    }

    @Test
    void podsGetTheGpuLimitAffinityOnEveryMatchingProductTolerationAndALockedDownSecurityContext() {
        String ns = namespace("pod-spec");
        WorkloadService llm = service("llm", "vllm/vllm-openai:v0.6", 1, "H100", 8000);
        llm.setEnv(Manifests.env("MODEL", "meta-llama/Llama-3-8B"));
        llm.setSecretRef("llm-secrets");
        llm.setImagePullSecretRef("registry-login");
        llm.setCommand(List.of("python3", "-m", "vllm.entrypoints.openai.api_server"));
        // The kubelet refuses to start a container whose env Secret is missing (CreateContainerConfigError).
        fixture.create(new SecretBuilder().withNewMetadata().withName("llm-secrets").withNamespace(ns).endMetadata()
                .addToStringData("HF_TOKEN", "hf_x").build());
        fixture.create(deployment(ns, "chat", null, llm));

        Deployment workload = fixture.awaitValue(() -> fixture.client.apps().deployments().inNamespace(ns).withName("llm").get(), d -> true);
        PodSpec pod = workload.getSpec().getTemplate().getSpec();
        var container = pod.getContainers().get(0);
        assertThat(container.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("1"))
                .containsEntry("cpu", new Quantity("2")).containsEntry("memory", new Quantity("8Gi"))
                .containsEntry("ephemeral-storage", new Quantity("1Gi"));
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
        // Always pull: another tenant's private image cached on the node must not start without credentials.
        assertThat(container.getImagePullPolicy()).isEqualTo("Always");
        var security = container.getSecurityContext();
        assertThat(security.getAllowPrivilegeEscalation()).isFalse();
        assertThat(security.getPrivileged()).isFalse();
        assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(security.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        // No spheron.operator.runtime-class: the field stays absent, and so do pod template changes on upgrade.
        assertThat(pod.getRuntimeClassName()).isNull();
        assertThat(container.getEnv()).anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue()).isEqualTo("MODEL=meta-llama/Llama-3-8B"));
        assertThat(container.getEnvFrom().get(0).getSecretRef().getName()).isEqualTo("llm-secrets");
        assertThat(pod.getImagePullSecrets().get(0).getName()).isEqualTo("registry-login");
        assertThat(workload.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(r -> assertThat(r.getKind()).isEqualTo("GPUDeployment"));

        // The scheduler placed it on an H100 node, the kubelet started it: its log is the hollow runtime's.
        Pod running = fixture.awaitValue(() -> pods(ns).stream().findFirst().orElse(null),
                p -> "Running".equals(p.getStatus().getPhase()));
        assertThat(running.getSpec().getNodeName()).startsWith("gpu-h100");
        String log = fixture.client.pods().inNamespace(ns).withName(running.getMetadata().getName()).getLog();
        assertThat(log).contains("hollow container llm started from image vllm/vllm-openai:v0.6")
                .contains("$ python3 -m vllm.entrypoints.openai.api_server");
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
        assertThat(nodePort).isBetween(30000, 32767);
        Service internal = fixture.client.services().inNamespace(ns).withName("web").get();
        assertThat(internal.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(internal.getSpec().getClusterIP()).startsWith("10.96.");
        assertThat(internal.getSpec().getPorts()).extracting(p -> p.getPort()).containsExactly(80, 9090);

        GPUDeploymentStatus status = running.getStatus();
        // Every hollow node reports the host's address as its InternalIP.
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
    void aPodNoNodeHasRoomForStaysPendingWithTheSchedulersReason() {
        String ns = namespace("too-big");
        fixture.create(deployment(ns, "huge", null, service("train", "pytorch/pytorch:2.4", 4, "A100")));

        GPUDeployment pending = fixture.awaitValue(() -> read(ns, "huge"),
                d -> d.getStatus() != null && d.getStatus().getLastError() != null);

        assertThat(pending.getStatus().getPhase()).isEqualTo(GPUDeploymentStatus.Phase.Pending);
        assertThat(pending.getStatus().getLastError()).contains("cannot be scheduled").contains("Insufficient nvidia.com/gpu");
        assertThat(pending.getStatus().getServices()).singleElement().satisfies(s -> assertThat(s.getReason()).isEqualTo("Unschedulable"));
    }

    @Test
    void aGpuModelNoNodeOffersIsReportedAndNothingIsScheduled() {
        String ns = namespace("no-model");
        fixture.create(deployment(ns, "future", null, service("train", "pytorch/pytorch:2.4", 8, "B200")));

        GPUDeployment pending = fixture.awaitValue(() -> read(ns, "future"),
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
    void aNodeThatBringsTheMissingModelWakesTheWaitingDeploymentAtOnce() {
        String ns = namespace("node-arrives");
        fixture.create(deployment(ns, "waiting", null, service("infer", "vllm/vllm-openai:v0.6", 1, "L4")));
        fixture.awaitValue(() -> read(ns, "waiting"), d -> d.getStatus() != null && d.getStatus().getLastError() != null
                && d.getStatus().getLastError().contains("no node offers GPU model L4"));

        // The safety-net re-check is minutes away: only the node informer's wake-up runs it within the timeout.
        fixture.cluster.addNode(new GpuNode("gpu-l4-a", "NVIDIA-L4", 1, 16, 64, "eu-west-1a"));

        GPUDeployment running = awaitPhase(ns, "waiting", GPUDeploymentStatus.Phase.Running);
        assertThat(running.getStatus().getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("GpuAvailable");
            assertThat(c.getStatus()).isEqualTo(Condition.TRUE);
        });
        assertThat(pods(ns)).singleElement().satisfies(p -> assertThat(p.getSpec().getNodeName()).isEqualTo("gpu-l4-a"));
    }

    @Test
    void aServiceWithPersistentVolumesRunsAsAStatefulSetWithItsClaimsBound() {
        String ns = namespace("stateful");
        WorkloadService pg = Manifests.withVolume(service("pg", "postgres:16", 0, null, 5432), "data", 20480, "/var/lib/postgresql");
        pg.getResources().setEphemeralStorageMb(0); // all its storage persistent
        fixture.create(deployment(ns, "db", null, pg));

        StatefulSet set = fixture.awaitValue(() -> fixture.client.apps().statefulSets().inNamespace(ns).withName("pg").get(), s -> true);

        assertThat(set.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(c -> {
            assertThat(c.getMetadata().getName()).isEqualTo("data");
            assertThat(c.getSpec().getResources().getRequests()).containsEntry("storage", new Quantity("20Gi"));
        });
        // No container goes without an ephemeral-storage limit, or it could fill its node's disk.
        assertThat(set.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getLimits())
                .containsEntry("ephemeral-storage", new Quantity("1Gi"));
        assertThat(set.getSpec().getTemplate().getSpec().getContainers().get(0).getVolumeMounts())
                .singleElement().satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/var/lib/postgresql"));
        assertThat(fixture.client.apps().deployments().inNamespace(ns).list().getItems()).isEmpty();
        awaitPhase(ns, "db", GPUDeploymentStatus.Phase.Running);
        assertThat(fixture.client.persistentVolumeClaims().inNamespace(ns).withName("data-pg-0").get().getStatus().getPhase())
                .isEqualTo("Bound");
    }

    /** Issue 15, storage classes: the StorageClass the gateway mapped a volume's class to is the one its claim asks. */
    @Test
    void aVolumesStorageClassIsTheOneItsClaimAsks() {
        String ns = namespace("classed");
        WorkloadService cache = Manifests.withVolume(service("cache", "redis:7", 0, null, 6379), "data", 1024, "/data");
        cache.getResources().getVolumes().get(0).setStorageClass("fast-nvme");
        fixture.create(deployment(ns, "nvme", null, cache));

        var claim = fixture.awaitValue(() -> fixture.client.persistentVolumeClaims().inNamespace(ns).withName("data-cache-0")
                .get(), c -> true);

        assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast-nvme");
    }

    /**
     * Issue 14, "affinity must not churn": the pods' product list was recomputed from the live nodes on every pass,
     * so a node with a new variant of the model changed the pod template of every running deployment of that model
     * and restarted all its pods. The placement now changes only with the spec, and is read back from the pod
     * template itself: a status that lost its record of it (a restore, a hand edit) changes nothing either.
     */
    @Test
    void aNewVariantOfTheModelJoiningTheClusterRestartsNoRunningDeployment() {
        String ns = namespace("no-churn");
        GPUDeployment created = fixture.create(deployment(ns, "placed", null, service("infer", "vllm/vllm-openai:v0.6", 1, "A100")));
        awaitPhase(ns, "placed", GPUDeploymentStatus.Phase.Running);
        Deployment before = fixture.client.apps().deployments().inNamespace(ns).withName("infer").get();
        assertThat(productsOf(before)).containsExactly("NVIDIA-A100-SXM4-80GB");
        String podBefore = pods(ns).get(0).getMetadata().getUid();
        assertThat(read(ns, "placed").getStatus().getServices()).singleElement()
                .satisfies(s -> assertThat(s.getGpuProducts()).containsExactly("NVIDIA-A100-SXM4-80GB"));

        fixture.client.resources(GPUDeployment.class).inNamespace(ns).withName("placed").editStatus(lost -> {
            lost.getStatus().getServices().forEach(s -> {
                s.setGpuProducts(null);
                s.setPlacementGeneration(null);
            });
            return lost;
        });
        fixture.cluster.addNode(new GpuNode("gpu-a100-pcie", "NVIDIA-A100-PCIE-40GB", 1, 32, 256, "eu-west-1a"));
        await().atMost(OperatorFixture.TIMEOUT).until(() -> fixture.inventory.nodes().stream()
                .anyMatch(n -> "gpu-a100-pcie".equals(n.getMetadata().getName())));
        for (int pass = 0; pass < 2; pass++) {
            String value = Integer.toString(pass);
            fixture.awaitReconcile(created, () -> pods(ns).forEach(p -> fixture.client.pods().inNamespace(ns)
                    .withName(p.getMetadata().getName()).edit(edited -> {
                        edited.getMetadata().setAnnotations(Map.of("touched", value));
                        return edited;
                    })));
        }

        Deployment after = fixture.client.apps().deployments().inNamespace(ns).withName("infer").get();
        assertThat(after.getMetadata().getGeneration()).isEqualTo(before.getMetadata().getGeneration());
        assertThat(productsOf(after)).containsExactly("NVIDIA-A100-SXM4-80GB");
        assertThat(pods(ns)).singleElement().satisfies(p -> assertThat(p.getMetadata().getUid()).isEqualTo(podBefore));

        // A deployment created now may land on either variant.
        String fresh = namespace("no-churn-new");
        fixture.create(deployment(fresh, "later", null, service("infer", "vllm/vllm-openai:v0.6", 1, "A100")));
        Deployment later = fixture.awaitValue(() -> fixture.client.apps().deployments().inNamespace(fresh).withName("infer").get(), d -> true);
        assertThat(productsOf(later)).containsExactly("NVIDIA-A100-PCIE-40GB", "NVIDIA-A100-SXM4-80GB");
    }

    /**
     * Issue 14: a relabel of the node a deployment runs on (GPU feature discovery upgraded and names the product
     * differently) left no node with the product its pods were pinned to, so the placement was picked again and
     * every pod restarted. A workload whose replicas all run keeps its pod template.
     */
    @Test
    void aRelabelledNodeLeavesThePodTemplateAndThePodsAlone() {
        fixture.cluster.addNode(new GpuNode("gpu-l40s", "NVIDIA-L40S", 1, 16, 64, "eu-west-1a"));
        await().atMost(OperatorFixture.TIMEOUT).until(() -> fixture.inventory.nodes().stream()
                .anyMatch(n -> "gpu-l40s".equals(n.getMetadata().getName())));
        String ns = namespace("relabel");
        GPUDeployment created = fixture.create(deployment(ns, "tuned", null, service("tune", "unsloth/unsloth:1", 1, "L40S")));
        awaitPhase(ns, "tuned", GPUDeploymentStatus.Phase.Running);
        Deployment before = fixture.client.apps().deployments().inNamespace(ns).withName("tune").get();
        assertThat(productsOf(before)).containsExactly("NVIDIA-L40S");
        assertThat(before.getMetadata().getAnnotations()).containsEntry(GpuPlacement.PLACED_FOR, "L40S");
        String podBefore = pods(ns).get(0).getMetadata().getUid();

        fixture.client.nodes().withName("gpu-l40s").edit(node -> {
            node.getMetadata().getLabels().put("nvidia.com/gpu.product", "NVIDIA-L40S-48GB");
            return node;
        });
        await().atMost(OperatorFixture.TIMEOUT).until(() -> fixture.inventory.nodes().stream()
                .anyMatch(n -> "NVIDIA-L40S-48GB".equals(n.getMetadata().getLabels().get("nvidia.com/gpu.product"))));
        for (int pass = 0; pass < 2; pass++) {
            String value = Integer.toString(pass);
            fixture.awaitReconcile(created, () -> pods(ns).forEach(p -> fixture.client.pods().inNamespace(ns)
                    .withName(p.getMetadata().getName()).edit(edited -> {
                        edited.getMetadata().setAnnotations(Map.of("touched", value));
                        return edited;
                    })));
        }

        Deployment after = fixture.client.apps().deployments().inNamespace(ns).withName("tune").get();
        assertThat(after.getMetadata().getGeneration()).isEqualTo(before.getMetadata().getGeneration());
        assertThat(productsOf(after)).containsExactly("NVIDIA-L40S");
        assertThat(pods(ns)).singleElement().satisfies(p -> assertThat(p.getMetadata().getUid()).isEqualTo(podBefore));
    }

    private static List<String> productsOf(Deployment workload) {
        return workload.getSpec().getTemplate().getSpec().getAffinity().getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms().get(0)
                .getMatchExpressions().get(0).getValues();
    }

    @Test
    void aSteadyStateWritesNothingOverSeveralReconciles() {
        String ns = namespace("idempotent");
        GPUDeployment created = fixture.create(deployment(ns, "steady", null,
                service("api", "ghcr.io/acme/api:1", 1, "A100", 8080),
                Manifests.withVolume(service("cache", "redis:7", 0, null, 6379), "data", 1536, "/data")));
        awaitPhase(ns, "steady", GPUDeploymentStatus.Phase.Running);
        int writesBefore = fixture.operatorWritesIn(ns).size();
        String versionBefore = read(ns, "steady").getMetadata().getResourceVersion();

        // Any pod event makes the reconciler run a full pass: read, compare, observe.
        for (int pass = 0; pass < 3; pass++) {
            String value = Integer.toString(pass);
            fixture.awaitReconcile(created, () -> pods(ns).forEach(p -> fixture.client.pods().inNamespace(ns)
                    .withName(p.getMetadata().getName()).edit(edited -> {
                        edited.getMetadata().setAnnotations(Map.of("touched", value));
                        return edited;
                    })));
        }

        assertThat(fixture.operatorWritesIn(ns)).as("writes of the operator in a steady state").hasSize(writesBefore);
        assertThat(read(ns, "steady").getMetadata().getResourceVersion()).isEqualTo(versionBefore);
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
        // 8080 is not published as 80: a raw TCP port, not a web page.
        assertThat(running.getStatus().getUrl()).startsWith("tcp://127.0.0.1:");
    }

    @Test
    void aStatusWriteRefusedAsStaleIsAppliedAgainOnTheNewerObject() {
        String ns = namespace("stale");
        AtomicInteger edits = new AtomicInteger();
        // Between the reconciler's read and its status write, someone else changes the object: the write carries the
        // resourceVersion read, so the API server refuses it with 409.
        fixture.deployments.afterFirstObjectApplied(d -> {
            if (d.getMetadata().getName().equals("contended") && edits.getAndIncrement() == 0) {
                fixture.client.resources(GPUDeployment.class).inNamespace(ns).withName("contended").edit(edited -> {
                    edited.getMetadata().setAnnotations(Map.of("edited-by", "someone-else"));
                    return edited;
                });
            }
        });
        fixture.create(deployment(ns, "contended", null, service("api", "ghcr.io/acme/api:1", 0, null, 8080)));

        GPUDeployment running = awaitPhase(ns, "contended", GPUDeploymentStatus.Phase.Running);

        assertThat(running.getMetadata().getAnnotations()).containsEntry("edited-by", "someone-else");
        assertThat(fixture.operatorWritesIn(ns)).filteredOn(r -> r.resource().equals("gpudeployments") && r.subresource().equals("status"))
                .extracting(r -> r.code()).startsWith(409).contains(200);
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

    @Test
    void deletingTheGpuDeploymentLetsTheGarbageCollectorRemoveEverythingItOwns() {
        String ns = namespace("collected");
        fixture.create(deployment(ns, "gone", null, service("api", "ghcr.io/acme/api:1", 0, null, 8080)));
        awaitPhase(ns, "gone", GPUDeploymentStatus.Phase.Running);

        fixture.client.resources(GPUDeployment.class).inNamespace(ns).withName("gone").delete();

        fixture.awaitValue(() -> fixture.client.apps().deployments().inNamespace(ns).list().getItems(), List::isEmpty);
        fixture.awaitValue(() -> fixture.client.services().inNamespace(ns).list().getItems(), List::isEmpty);
        fixture.awaitValue(() -> pods(ns), List::isEmpty);
    }

    private static List<Pod> pods(String ns) {
        return fixture.client.pods().inNamespace(ns).list().getItems();
    }
}
