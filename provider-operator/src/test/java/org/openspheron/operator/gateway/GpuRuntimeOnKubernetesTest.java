package org.openspheron.operator.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.operator.Manifests.deployment;
import static org.openspheron.operator.Manifests.lease;
import static org.openspheron.operator.Manifests.service;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClassBuilder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openspheron.manifest.Manifest;
import org.openspheron.manifest.ManifestParser;
import org.openspheron.manifest.ResourceTotals;
import org.openspheron.operator.OperatorFixture;
import org.openspheron.operator.deployment.GPUDeployment;
import org.openspheron.operator.deployment.GPUDeploymentStatus;
import org.openspheron.operator.deployment.RamVolume;
import org.openspheron.operator.deployment.WorkloadService;
import org.openspheron.operator.lease.LeaseResources;
import org.openspheron.operator.lease.SpheronLease;

/**
 * Issue 14, "GPU runtime", on a real control plane whose operator is configured with the RuntimeClass
 * {@code nvidia} (spheron.operator.runtime-class): the RuntimeClass admission plugin checks that it exists, and the
 * hollow kubelet runs the pods under it. And a manifest's {@code class: ram} volume: a memory-backed emptyDir at its
 * mount whose size the container's memory and the lease quota (from the order's totals, where ram is memory) hold.
 */
class GpuRuntimeOnKubernetesTest {
    private static OperatorFixture fixture;
    private static LeaseCluster leases;

    @BeforeAll
    static void start() {
        fixture = OperatorFixture.withGpuRuntimeClass("nvidia");
        // What NVIDIA's GPU Operator installs: the handler names the runtime in the nodes' containerd config.
        fixture.create(new RuntimeClassBuilder().withNewMetadata().withName("nvidia").endMetadata().withHandler("nvidia").build());
        leases = new LeaseCluster(fixture.client, Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void gpuPodsRunUnderTheConfiguredRuntimeClass() {
        String ns = namespace("gpu-runtime");
        fixture.create(deployment(ns, "llm", null, service("infer", "vllm/vllm-openai:v0.6", 1, "H100", 8000)));

        Pod running = runningPod(ns);

        assertThat(running.getSpec().getRuntimeClassName()).isEqualTo("nvidia");
        assertThat(running.getSpec().getNodeName()).startsWith("gpu-h100");
        assertThat(fixture.client.apps().deployments().inNamespace(ns).withName("infer").get()
                .getSpec().getTemplate().getSpec().getRuntimeClassName()).isEqualTo("nvidia");
    }

    /** NVIDIA's runtime would give a CPU-only pod whose image says NVIDIA_VISIBLE_DEVICES=all every GPU of its node. */
    @Test
    void cpuOnlyPodsRunUnderTheDefaultRuntimeEvenWhenOneIsConfiguredForGpus() {
        String ns = namespace("cpu-runtime");
        fixture.create(deployment(ns, "site", null, service("web", "nginx:1.27", 0, null, 80)));

        Pod running = runningPod(ns);

        assertThat(running.getSpec().getRuntimeClassName()).isNull();
    }

    @Test
    void aRamVolumeBecomesAMemoryBackedEmptyDirAtItsMountAdmittedUnderTheLeaseQuota() {
        Manifest manifest = ManifestParser.parse(TRAINING);
        ResourceTotals totals = manifest.resources();
        // What the order bought, as the CLI orders it and the lease watcher copies it: 4 GiB of memory and the ram.
        assertThat(totals.memoryMb()).isEqualTo(4096 + 1024);
        fixture.create(lease(41, new LeaseResources(totals.cpuMilli(), totals.memoryMb(), totals.storageMb(),
                totals.gpuCount(), "H100")));
        assertThat(leases.awaitNamespace(41)).isTrue();

        leases.apply(ManifestDeploymentTest.ordered(41, manifest));

        fixture.awaitValue(() -> leases.deployment(41).orElse(null),
                d -> d.getStatus() != null && d.getStatus().getPhase() == GPUDeploymentStatus.Phase.Running);
        Pod pod = runningPod("lease-41");
        assertThat(pod.getSpec().getVolumes()).filteredOn(v -> v.getName().equals("shm")).singleElement().satisfies(v -> {
            assertThat(v.getEmptyDir().getMedium()).isEqualTo("Memory");
            assertThat(v.getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("1Gi"));
        });
        Container train = pod.getSpec().getContainers().get(0);
        assertThat(train.getVolumeMounts()).filteredOn(m -> m.getName().equals("shm")).singleElement()
                .satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/dev/shm"));
        // A tmpfs's pages are charged to the container's memory: the limit has room for the full volume.
        assertThat(train.getResources().getLimits()).containsEntry("memory", new Quantity("5Gi"));
        assertThat(train.getResources().getRequests()).containsEntry("memory", new Quantity("5Gi"));
        // Admitted, and the quota counts all of it: exactly what the order bought, nothing beyond.
        ResourceQuota quota = fixture.awaitValue(
                () -> fixture.client.resourceQuotas().inNamespace("lease-41").withName("lease-quota").get(),
                q -> q.getStatus() != null && q.getStatus().getUsed() != null
                        && new Quantity("5Gi").equals(q.getStatus().getUsed().get("limits.memory")));
        assertThat(quota.getStatus().getHard()).containsEntry("limits.memory", new Quantity("5Gi"));
    }

    /**
     * Issue 14, "the gateway waits for isolation": a namespace alone (made by hand, or by an operator half-way
     * through a lease's dependents) is not a lease ready for a workload. The gateway waits for NamespaceReady, which
     * the reconciler sets only once the quota and both network policies exist.
     */
    @Test
    void aManifestWaitsForTheLeaseQuotaAndNetworkPoliciesNotJustItsNamespace() {
        LeaseCluster impatient = new LeaseCluster(fixture.client, Duration.ofSeconds(2));
        namespace("lease-43");

        assertThat(impatient.awaitNamespace(43)).as("a bare namespace has no quota and no policies").isFalse();

        fixture.create(lease(43, new LeaseResources(4000, 4096, 10240, 0, null)));
        assertThat(leases.awaitNamespace(43)).isTrue();
        assertThat(fixture.client.resourceQuotas().inNamespace("lease-43").withName("lease-quota").get()).isNotNull();
        assertThat(fixture.client.network().networkPolicies().inNamespace("lease-43").list().getItems())
                .extracting(p -> p.getMetadata().getName()).contains("default-deny", "lease-traffic");
    }

    @Test
    void aRamVolumeBeyondTheMemoryTheLeaseBoughtIsRefusedByItsQuota() {
        fixture.create(lease(42, new LeaseResources(4000, 4096, 10240, 0, null)));
        assertThat(leases.awaitNamespace(42)).isTrue();
        // 3 GiB of memory fits the 4 the lease bought; with a 2 GiB tmpfs on top it does not.
        WorkloadService cache = service("cache", "redis:7", 0, null, 6379);
        cache.getResources().setMemoryMb(3072);
        RamVolume shm = new RamVolume();
        shm.setName("shm");
        shm.setSizeMb(2048);
        shm.setMountPath("/dev/shm");
        cache.getResources().getRamVolumes().add(shm);
        fixture.create(deployment("lease-42", SpheronLease.nameFor(42), 42L, cache));

        GPUDeployment refused = fixture.awaitValue(() -> leases.deployment(42).orElse(null),
                d -> d.getStatus() != null && d.getStatus().getServices().stream().anyMatch(s -> "QuotaExceeded".equals(s.getReason())));

        assertThat(refused.getStatus().getLastError()).contains("exceeded quota: lease-quota").contains("memory");
        assertThat(fixture.client.pods().inNamespace("lease-42").list().getItems()).isEmpty();
    }

    /**
     * Issue 15, TEE: a service asking for confidential computing ({@code params.tee}) runs under the RuntimeClass
     * the provider mapped its type to, and that RuntimeClass's scheduling (merged into the pod by the API server's
     * RuntimeClass admission) keeps it off nodes without the hardware: Pending until a node has the label, then
     * Running there.
     */
    @Test
    void aConfidentialServiceRunsUnderItsTeeRuntimeClassOnlyOnTheNodesThatClassSelects() {
        fixture.create(new RuntimeClassBuilder().withNewMetadata().withName("kata-qemu-snp").endMetadata()
                .withHandler("kata-qemu-snp").withNewScheduling()
                .addToNodeSelector("spheron.test/tee", "sev-snp").endScheduling().build());
        // What the bid engine reads to place such an order: the class's node selector, nothing for an unmapped type
        // or a class missing from the cluster.
        org.openspheron.operator.bidding.TeeNodes teeNodes = org.openspheron.operator.bidding.TeeNodes.fromRuntimeClasses(
                fixture.client, java.util.Map.of("sev-snp", "kata-qemu-snp", "tdx", "kata-qemu-tdx"));
        assertThat(teeNodes.nodeSelector("sev-snp")).contains(java.util.Map.of("spheron.test/tee", "sev-snp"));
        assertThat(teeNodes.nodeSelector("tdx")).as("no such RuntimeClass in the cluster").isEmpty();
        assertThat(teeNodes.nodeSelector("sev-snp-gpu")).as("a type the provider does not map").isEmpty();
        Manifest manifest = ManifestParser.parse(CONFIDENTIAL);
        ResourceTotals totals = manifest.resources();
        fixture.create(lease(44, new LeaseResources(totals.cpuMilli(), totals.memoryMb(), totals.storageMb(),
                totals.gpuCount(), null)));
        assertThat(leases.awaitNamespace(44)).isTrue();
        LeaseWorkload workload = ManifestDeployment.of(44, manifest, new org.openspheron.chain.OrderSpec(totals.cpuMilli(),
                totals.memoryMb(), totals.storageMb(), totals.gpuCount(), totals.gpuModel(), "", "", false,
                java.math.BigInteger.ONE, 3600, manifest.canonicalHash()), StorageClasses.NONE,
                new TeeRuntimes(java.util.Map.of("sev-snp", "kata-qemu-snp")));
        try {
            leases.apply(workload);

            Pod waiting = fixture.awaitValue(() -> fixture.client.pods().inNamespace("lease-44").list().getItems()
                    .stream().findFirst().orElse(null), p -> p.getSpec().getNodeSelector() != null);
            assertThat(waiting.getSpec().getRuntimeClassName()).isEqualTo("kata-qemu-snp");
            assertThat(waiting.getSpec().getNodeSelector()).containsEntry("spheron.test/tee", "sev-snp");
            assertThat(waiting.getSpec().getNodeName()).as("no node has the TEE hardware yet").isNull();

            fixture.client.nodes().withName("gpu-a100-a").edit(n -> {
                n.getMetadata().getLabels().put("spheron.test/tee", "sev-snp");
                return n;
            });
            Pod running = runningPod("lease-44");
            assertThat(running.getSpec().getNodeName()).isEqualTo("gpu-a100-a");
            assertThat(running.getSpec().getRuntimeClassName()).isEqualTo("kata-qemu-snp");
        } finally {
            fixture.client.nodes().withName("gpu-a100-a").edit(n -> {
                n.getMetadata().getLabels().remove("spheron.test/tee");
                return n;
            });
        }
    }

    /** A service in AMD SEV-SNP confidential computing (CPU only), as Akash SDL 2.1 writes it. */
    private static final String CONFIDENTIAL = """
            version: "2.1"
            services:
              infer:
                image: nginx:1.27
                expose:
                  - port: 80
                    to:
                      - global: true
                params:
                  tee:
                    type: sev-snp
            profiles:
              compute:
                infer:
                  resources:
                    cpu:
                      units: 4
                    memory:
                      size: 16Gi
                    storage:
                      - size: 10Gi
              placement:
                anywhere:
                  pricing:
                    infer:
                      denom: uact
                      amount: 100
            deployment:
              infer:
                anywhere:
                  profile: infer
                  count: 1
            """;

    /** One GPU service training with a DataLoader: 4 GiB of memory and 1 GiB of shared memory, mounted as Akash's docs do. */
    private static final String TRAINING = """
            version: "1.0"
            services:
              train:
                image: pytorch/pytorch:2.4
                params:
                  storage:
                    shm:
                      mount: /dev/shm
            profiles:
              name: ram
              mode: provider
              compute:
                train:
                  resources:
                    cpu:
                      units: 2
                    memory:
                      size: 4Gi
                    storage:
                      - size: 2Gi
                      - name: shm
                        size: 1Gi
                        attributes:
                          class: ram
                          persistent: false
                    gpu:
                      units: 1
                      attributes:
                        vendor:
                          nvidia:
                            - model: h100
              placement:
                anywhere:
                  pricing:
                    train:
                      token: uSPON
                      amount: 1
            deployment:
              train:
                anywhere:
                  profile: train
                  count: 1
            """;

    private static String namespace(String name) {
        fixture.create(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build());
        return name;
    }

    private static Pod runningPod(String ns) {
        return fixture.awaitValue(() -> {
            List<Pod> pods = fixture.client.pods().inNamespace(ns).list().getItems();
            return pods.isEmpty() ? null : pods.get(0);
        }, p -> "Running".equals(p.getStatus().getPhase()));
    }
}
