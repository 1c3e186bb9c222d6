package org.openspheron.operator.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.math.BigInteger;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.OrderSpec;
import org.openspheron.manifest.Manifest;
import org.openspheron.manifest.ManifestParser;
import org.openspheron.manifest.ResourceTotals;
import org.openspheron.operator.deployment.ExposedPort;
import org.openspheron.operator.deployment.RamVolume;
import org.openspheron.operator.deployment.WorkloadService;

class ManifestDeploymentTest {
    /** The workload of {@code manifest} for a lease whose order bought exactly what it asks (as the CLI orders). */
    static LeaseWorkload ordered(long leaseId, Manifest manifest) {
        ResourceTotals totals = manifest.resources();
        return ManifestDeployment.of(leaseId, manifest, new OrderSpec(totals.cpuMilli(), totals.memoryMb(), totals.storageMb(),
                totals.gpuCount(), totals.gpuCount() == 0 ? "" : totals.gpuModel(), "", "", false, BigInteger.ONE, 3600,
                manifest.canonicalHash()));
    }


    /** As {@link #ordered(long, Manifest)}, on a provider that maps storage classes as {@code storageClasses} says. */
    static LeaseWorkload ordered(long leaseId, Manifest manifest, StorageClasses storageClasses) {
        ResourceTotals totals = manifest.resources();
        return ManifestDeployment.of(leaseId, manifest, new OrderSpec(totals.cpuMilli(), totals.memoryMb(), totals.storageMb(),
                totals.gpuCount(), totals.gpuCount() == 0 ? "" : totals.gpuModel(), "", "", false, BigInteger.ONE, 3600,
                manifest.canonicalHash()), storageClasses);
    }

    /**
     * Issue 15, storage classes: a volume's class ({@code beta3}) was dropped, so every persistent volume got the
     * cluster's default StorageClass, the slow disk as readily as the fast one the tenant ordered. The provider's
     * mapping decides it now.
     */
    @Test
    void aBeta3VolumeGetsTheStorageClassTheProviderMappedBeta3To() {
        LeaseWorkload workload = ordered(7, ManifestParser.parse(manifest("private-llm-with-secrets.yaml")),
                new StorageClasses(java.util.Map.of("beta2", "ssd", "beta3", "fast-nvme")));

        assertThat(workload.deployment().getSpec().getServices().get(0).getResources().getVolumes()).singleElement()
                .satisfies(v -> assertThat(v.getStorageClass()).isEqualTo("fast-nvme"));
    }

    /** Issue 15, TEE: a manifest asking for a TEE type this provider does not run is refused before anything runs. */
    @Test
    void aTeeTypeTheProviderDoesNotRunIsRefusedNamingTheField() {
        Manifest manifest = ManifestParser.parse("""
                version: "2.1"
                services:
                  web:
                    image: nginx:1.27
                    expose: [{port: 80, to: [{global: true}]}]
                    params: {tee: {type: tdx}}
                profiles:
                  compute:
                    web: {resources: {cpu: {units: 1}, memory: {size: 1Gi}, storage: [{size: 1Gi}]}}
                  placement:
                    dc: {pricing: {web: {denom: uact, amount: 10}}}
                deployment:
                  web: {dc: {profile: web, count: 1}}
                """);
        ResourceTotals totals = manifest.resources();
        OrderSpec order = new OrderSpec(totals.cpuMilli(), totals.memoryMb(), totals.storageMb(), 0, "", "", "", false,
                BigInteger.ONE, 3600, manifest.canonicalHash());

        assertThatThrownBy(() -> ManifestDeployment.of(9, manifest, order, StorageClasses.NONE,
                new TeeRuntimes(java.util.Map.of("sev-snp", "kata-qemu-snp"))))
                .isInstanceOfSatisfying(GatewayError.class, e -> {
                    assertThat(e.getMessage()).isEqualTo("this provider runs no tdx confidential computing (it offers sev-snp)");
                    assertThat(e.field()).isEqualTo("services.web.params.tee.type");
                });
        LeaseWorkload runs = ManifestDeployment.of(9, manifest, order, StorageClasses.NONE,
                new TeeRuntimes(java.util.Map.of("tdx", "kata-qemu-tdx")));
        assertThat(runs.deployment().getSpec().getServices().get(0).getRuntimeClassName()).isEqualTo("kata-qemu-tdx");
    }

    /** Providers set the mapping as TYPE=RuntimeClass entries; a key written as SEV_SNP_GPU names sev-snp-gpu. */
    @Test
    void teeTypesFromTheEnvironmentNameTheSameTypes() {
        assertThat(TeeRuntimes.parse(java.util.List.of("sev-snp=kata-qemu-snp", " tdx-gpu = kata-qemu-nvidia-gpu-tdx"))
                .byType()).isEqualTo(java.util.Map.of("sev-snp", "kata-qemu-snp", "tdx-gpu", "kata-qemu-nvidia-gpu-tdx"));
        assertThatThrownBy(() -> TeeRuntimes.parse(java.util.List.of("kata-qemu-snp")))
                .hasMessage("spheron.operator.tee-runtime-classes: \"kata-qemu-snp\" is not TYPE=RuntimeClass (e.g. "
                        + "sev-snp=kata-qemu-snp)");
        assertThat(new TeeRuntimes(java.util.Map.of("SEV_SNP_GPU", "kata-qemu-nvidia-gpu-snp", "tdx", "kata-qemu-tdx"))
                .byType()).isEqualTo(java.util.Map.of("sev-snp-gpu", "kata-qemu-nvidia-gpu-snp", "tdx", "kata-qemu-tdx"));
        assertThatThrownBy(() -> new TeeRuntimes(java.util.Map.of("sgx", "kata-sgx")))
                .hasMessage("spheron.operator.tee-runtime-classes.sgx: no TEE type sgx (sev-snp, sev-snp-gpu, tdx, tdx-gpu)");
    }

    /**
     * Review finding: a cluster whose GPUDeployment CRD predates runtimeClassName (helm does not upgrade CRDs) prunes
     * the field, and the pods would run outside the TEE the tenant ordered. The gateway compares what the API server
     * stored with what it sent, and refuses (deleting the object) when a RuntimeClass is gone.
     */
    @Test
    void aRuntimeClassThatTheStoredObjectLostIsReportedSoTheGatewayRefuses() {
        WorkloadService confidential = org.openspheron.operator.Manifests.service("infer", "vllm/vllm-openai:v0.6", 0, null, 80);
        confidential.setRuntimeClassName("kata-qemu-snp");
        WorkloadService plain = org.openspheron.operator.Manifests.service("web", "nginx:1.27", 0, null, 80);
        var sent = org.openspheron.operator.Manifests.deployment("lease-5", "lease-5", 5L, confidential, plain);
        WorkloadService pruned = org.openspheron.operator.Manifests.service("infer", "vllm/vllm-openai:v0.6", 0, null, 80);
        var storedByAnOldCrd = org.openspheron.operator.Manifests.deployment("lease-5", "lease-5", 5L, pruned, plain);

        assertThat(LeaseCluster.runtimeClassesDropped(sent, storedByAnOldCrd)).containsExactly("infer");
        assertThat(LeaseCluster.runtimeClassesDropped(sent, sent)).isEmpty();
        assertThat(LeaseCluster.runtimeClassesDropped(storedByAnOldCrd, storedByAnOldCrd)).as("nothing asked").isEmpty();
    }

    @Test
    void aClassTheProviderDidNotMapIsRefusedNamingTheVolumesClass() {
        Manifest manifest = ManifestParser.parse(manifest("private-llm-with-secrets.yaml"));

        assertThatThrownBy(() -> ordered(7, manifest, new StorageClasses(java.util.Map.of("beta1", "hdd", "beta2", "ssd"))))
                .isInstanceOfSatisfying(GatewayError.class, e -> {
                    assertThat(e.getMessage()).isEqualTo("this provider has no storage class beta3 (it offers beta1, beta2)");
                    assertThat(e.field()).isEqualTo("profiles.compute.web.resources.storage[1].attributes.class");
                });
    }

    @Test
    void withNoClassMappedAVolumeGetsTheClustersDefaultStorageClass() {
        LeaseWorkload workload = ordered(7, ManifestParser.parse(manifest("private-llm-with-secrets.yaml")), StorageClasses.NONE);

        assertThat(workload.deployment().getSpec().getServices().get(0).getResources().getVolumes()).singleElement()
                .satisfies(v -> assertThat(v.getStorageClass()).isNull());
    }

    static byte[] manifest(String name) {
        try (InputStream in = ManifestDeploymentTest.class.getResourceAsStream("/manifests/" + name)) {
            return in.readAllBytes();
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("test manifest " + name + " is missing", e);
        }
    }

    @Test
    void servicesCarryTheirProfilesStoragePortsAndReplicas() {
        LeaseWorkload workload = ordered(7, ManifestParser.parse(manifest("private-llm-with-secrets.yaml")));

        assertThat(workload.deployment().getMetadata().getName()).isEqualTo("lease-7");
        assertThat(workload.deployment().getMetadata().getNamespace()).isEqualTo("lease-7");
        assertThat(workload.deployment().getSpec().getLeaseId()).isEqualTo(7L);
        WorkloadService web = workload.deployment().getSpec().getServices().get(0);
        assertThat(web.getName()).isEqualTo("web");
        assertThat(web.getImage()).isEqualTo("ghcr.io/example/private-llm:1.2");
        assertThat(web.getReplicas()).isEqualTo(2);
        assertThat(web.getResources().getCpuMilli()).isEqualTo(4000);
        assertThat(web.getResources().getMemoryMb()).isEqualTo(16 * 1024);
        assertThat(web.getResources().getEphemeralStorageMb()).isEqualTo(10 * 1024);
        assertThat(web.getResources().getGpuCount()).isEqualTo(1);
        assertThat(web.getResources().getGpuModel()).isEqualTo("h100");
        assertThat(web.getResources().getVolumes()).singleElement().satisfies(v -> {
            assertThat(v.getName()).isEqualTo("models");
            assertThat(v.getSizeMb()).isEqualTo(100 * 1024);
            assertThat(v.getMountPath()).isEqualTo("/models");
        });
        assertThat(web.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getPort()).isEqualTo(8080);
            assertThat(p.getAs()).isEqualTo(80);
            assertThat(p.isGlobal()).isTrue();
            assertThat(p.getHosts()).containsExactly("llm.example.com");
            assertThat(p.getProtocol()).isEqualTo(ExposedPort.Protocol.TCP);
        });
        WorkloadService db = workload.deployment().getSpec().getServices().get(1);
        assertThat(db.getReplicas()).isEqualTo(1);
        assertThat(db.getResources().getGpuCount()).isZero();
        assertThat(db.getPorts()).singleElement().satisfies(p -> assertThat(p.isGlobal()).isFalse());
    }

    @Test
    void environmentAndRegistryLoginGoToSecretsThatTheServicesOnlyName() {
        LeaseWorkload workload = ordered(7, ManifestParser.parse(manifest("private-llm-with-secrets.yaml")));

        WorkloadService web = workload.deployment().getSpec().getServices().get(0);
        assertThat(web.getEnv()).isEmpty();
        assertThat(web.getSecretRef()).isEqualTo("web-env");
        assertThat(web.getImagePullSecretRef()).isEqualTo("web-registry");
        assertThat(Serialization.asYaml(workload.deployment()))
                .doesNotContain("hf_GatewaySecretValueDoNotLeak17", "ghp_RegistryPasswordDoNotLeak42",
                        "pg_SecretValueDoNotLeak99", "tenant-bot");

        Secret env = workload.secrets().stream().filter(s -> s.getMetadata().getName().equals("web-env")).findFirst()
                .orElseThrow();
        assertThat(decode(env.getData().get("HF_TOKEN"))).isEqualTo("hf_GatewaySecretValueDoNotLeak17");
        assertThat(decode(env.getData().get("MODEL"))).isEqualTo("llama");
        Secret registry = workload.secrets().stream().filter(s -> s.getMetadata().getName().equals("web-registry"))
                .findFirst().orElseThrow();
        assertThat(registry.getType()).isEqualTo("kubernetes.io/dockerconfigjson");
        assertThat(decode(registry.getData().get(".dockerconfigjson")))
                .contains("\"ghcr.io\"", "\"username\":\"tenant-bot\"", "ghp_RegistryPasswordDoNotLeak42");
    }

    @Test
    void aPortReachableOnlyByAnotherServiceIsNotGlobal() {
        LeaseWorkload workload = ordered(3, ManifestParser.parse(manifest("wordpress_spheron.yaml")));

        WorkloadService db = workload.deployment().getSpec().getServices().stream()
                .filter(s -> s.getName().equals("db")).findFirst().orElseThrow();
        assertThat(db.getPorts()).extracting(ExposedPort::getPort).containsExactly(3306, 33060);
        assertThat(db.getPorts()).noneMatch(ExposedPort::isGlobal);
        assertThat(db.getSecretRef()).isEqualTo("db-env");
    }

    @Test
    void aServiceNamedLikeTheServiceThatExposesAnotherIsRefusedWithItsField() {
        String yaml = """
                version: "1.0"
                services:
                  web:
                    image: nginx:1.27
                    expose:
                      - port: 80
                        to:
                          - global: true
                  web-ext:
                    image: nginx:1.27
                profiles:
                  compute:
                    small:
                      resources:
                        cpu:
                          units: 1
                        memory:
                          size: 1Gi
                        storage:
                          size: 1Gi
                  placement:
                    anywhere:
                      pricing:
                        small:
                          amount: 1
                deployment:
                  web:
                    anywhere:
                      profile: small
                      count: 1
                  web-ext:
                    anywhere:
                      profile: small
                      count: 1
                """;

        assertThatThrownBy(() -> ordered(9, ManifestParser.parse(yaml)))
                .isInstanceOfSatisfying(GatewayError.class, e -> {
                    assertThat(e.code()).isEqualTo("InvalidManifest");
                    assertThat(e.field()).isEqualTo("services.web-ext");
                    assertThat(e.getMessage()).contains("taken by the Service that exposes service web");
                });
    }

    /** An SDL-style profile with a {@code class: ram} volume; {@code params} is the service's params block or empty. */
    private static String withRam(String params, String extraVolumes) {
        return """
                version: "1.0"
                services:
                  train:
                    image: pytorch/pytorch:2.4
                %s
                profiles:
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
                %s
                  placement:
                    anywhere:
                      pricing:
                        train:
                          amount: 1
                deployment:
                  train:
                    anywhere:
                      profile: train
                      count: 2
                """.formatted(params, extraVolumes);
    }

    @Test
    void aRamVolumeTheServiceDoesNotMountIsItsSharedMemoryAtDevShm() {
        WorkloadService train = ordered(5, ManifestParser.parse(withRam("", ""))).deployment().getSpec().getServices().get(0);

        assertThat(train.getResources().getRamVolumes()).singleElement().satisfies(v -> {
            assertThat(v.getName()).isEqualTo("shm");
            assertThat(v.getSizeMb()).isEqualTo(1024);
            assertThat(v.getMountPath()).isEqualTo("/dev/shm");
        });
        assertThat(train.getResources().getMemoryMb()).isEqualTo(4096);
        assertThat(train.getResources().containerMemoryMb()).isEqualTo(4096 + 1024);
        // Not disk: neither scratch space nor a claim.
        assertThat(train.getResources().getEphemeralStorageMb()).isEqualTo(2048);
        assertThat(train.getResources().getVolumes()).isEmpty();
    }

    @Test
    void aRamVolumeMountedElsewhereStaysThereAndASecondUnmountedOneDoesNotTakeDevShmFromIt() {
        String params = """
                    params:
                      storage:
                        shm:
                          mount: /dev/shm
                        scratch:
                          mount: /scratch
                """;
        String twoMore = """
                          - name: scratch
                            size: 512Mi
                            attributes:
                              class: ram
                          - name: spare
                            size: 256Mi
                            attributes:
                              class: ram
                """;
        Manifest manifest = ManifestParser.parse(withRam(params.stripTrailing(), twoMore.stripTrailing()));
        WorkloadService train = ordered(5, manifest).deployment().getSpec().getServices().get(0);

        assertThat(train.getResources().getRamVolumes()).extracting(RamVolume::getName, RamVolume::getMountPath)
                .containsExactly(tuple("shm", "/dev/shm"), tuple("scratch", "/scratch"));
        // The unmounted one was paid for as memory: the container gets it, and the replicas add up to the order.
        assertThat(train.getResources().containerMemoryMb()).isEqualTo(4096 + 1024 + 512 + 256);
        assertThat(train.getResources().containerMemoryMb() * train.getReplicas()).isEqualTo(manifest.resources().memoryMb());
    }

    /** An order that counted the ram as storage paid disk prices for it: the memory it bought does not hold it. */
    @Test
    void aRamVolumeTheOrderDidNotBuyAsMemoryIsRefused() {
        Manifest manifest = ManifestParser.parse(withRam("", ""));
        ResourceTotals totals = manifest.resources();
        OrderSpec ramAsStorage = new OrderSpec(totals.cpuMilli(), totals.memoryMb() - 2048, totals.storageMb() + 2048,
                0, "", "", "", false, BigInteger.ONE, 3600, manifest.canonicalHash());

        assertThatThrownBy(() -> ManifestDeployment.of(5, manifest, ramAsStorage))
                .isInstanceOfSatisfying(GatewayError.class, e -> {
                    assertThat(e.field()).isEqualTo("profiles.compute.*.resources.memory");
                    assertThat(e.getMessage()).contains("10240 MiB of memory").contains("bought 8192");
                });
    }

    /** Issue 14: the lease decides the model; GPU memory and interface the order did not buy are refused. */
    @Test
    void aManifestAskingForMoreGpuMemoryOrAnotherInterfaceThanTheOrderIsRefusedWithItsField() {
        Manifest manifest = ManifestParser.parse(gpuSdl("{model: a100, ram: 80Gi}"));
        assertThat(manifest.resources().gpuModel()).isEqualTo("a100-80GB");

        assertThatThrownBy(() -> ManifestDeployment.of(3, manifest, gpuOrder(manifest, "A100")))
                .isInstanceOfSatisfying(GatewayError.class, e -> {
                    assertThat(e.field()).isEqualTo("profiles.compute.infer.resources.gpu");
                    assertThat(e.getMessage()).contains("a100-80GB").contains("bid for A100");
                });
        Manifest sxm = ManifestParser.parse(gpuSdl("{model: h100, interface: sxm}"));
        assertThatThrownBy(() -> ManifestDeployment.of(3, sxm, gpuOrder(sxm, "H100-PCIE")))
                .isInstanceOf(GatewayError.class);
    }

    @Test
    void gpuServicesRunOnTheLeasesModelWhichMayBeMoreSpecificThanTheManifests() {
        Manifest manifest = ManifestParser.parse(gpuSdl("{model: a100}"));

        LeaseWorkload workload = ManifestDeployment.of(3, manifest, gpuOrder(manifest, "A100-80GB-SXM"));

        assertThat(workload.deployment().getSpec().getServices()).singleElement()
                .satisfies(s -> assertThat(s.getResources().getGpuModel()).isEqualTo("A100-80GB-SXM"));
    }

    private static OrderSpec gpuOrder(Manifest manifest, String model) {
        ResourceTotals totals = manifest.resources();
        return new OrderSpec(totals.cpuMilli(), totals.memoryMb(), totals.storageMb(), totals.gpuCount(), model, "", "",
                false, BigInteger.ONE, 3600, manifest.canonicalHash());
    }

    private static byte[] gpuSdl(String gpu) {
        return ("""
                version: "2.0"
                services:
                  infer:
                    image: vllm/vllm-openai:v0.6
                    expose:
                      - port: 8000
                        to: [{global: true}]
                profiles:
                  compute:
                    infer:
                      resources:
                        cpu: {units: 4}
                        memory: {size: 16Gi}
                        storage: {size: 20Gi}
                        gpu:
                          units: 1
                          attributes:
                            vendor:
                              nvidia:
                                - %s
                  placement:
                    dc:
                      pricing:
                        infer: {denom: uakt, amount: 1000}
                deployment:
                  infer:
                    dc:
                      profile: infer
                      count: 1
                """.formatted(gpu)).getBytes(StandardCharsets.UTF_8);
    }

    static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    /**
     * A provider leases one placement of a manifest, as Akash does per deployment group; a manifest of several would
     * otherwise run every placement's services here, on a lease priced for one: refused, with the placements named.
     */
    @Test
    void aManifestOfSeveralPlacementsIsRefusedNotRunInOnePlacement() {
        String yaml = """
                version: "2.0"
                services:
                  web: {image: nginx:1.27}
                  api: {image: nginx:1.27}
                profiles:
                  compute:
                    small: {resources: {cpu: {units: 0.5}, memory: {size: 512Mi}, storage: {size: 1G}}}
                  placement:
                    east: {attributes: {region: us-east}, pricing: {small: {denom: uact, amount: 100}}}
                    west: {attributes: {region: us-west}, pricing: {small: {denom: uact, amount: 100}}}
                deployment:
                  web: {west: {profile: small, count: 2}}
                  api: {east: {profile: small, count: 1}}
                """;

        assertThatThrownBy(() -> ordered(9, ManifestParser.parse(yaml)))
                .isInstanceOfSatisfying(GatewayError.class, e -> {
                    assertThat(e.code()).isEqualTo("InvalidManifest");
                    assertThat(e.field()).isEqualTo("profiles.placement");
                    assertThat(e.getMessage()).contains("2 placements (east, west)");
                });
    }
}
