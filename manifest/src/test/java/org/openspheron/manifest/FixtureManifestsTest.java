package org.openspheron.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every real manifest in the fixtures is either accepted with the right shape or refused with a specific error.
 * A new fixture file fails {@link #everyFixtureHasAnExpectedOutcome()} until it is listed here.
 */
class FixtureManifestsTest {

    /** Accepted: format, services, total GPUs, the order's GPU model ("" = any model). */
    record Accepted(ManifestFormat format, int services, int gpus, String gpuModel) {
    }

    /** Refused: the field and the full message. */
    record Refused(String field, String message) {
    }

    private static final Accepted ICL_RTX4090 = new Accepted(ManifestFormat.ICL, 1, 1, "rtx4090");
    private static final Accepted ICL_CPU = new Accepted(ManifestFormat.ICL, 1, 0, "");

    static final Map<String, Object> EXPECTED = Map.ofEntries(
            // ram: 80Gi under the GPU model: the order asks for at least 80 GB
            Map.entry("akash-sdl/Qwen3-235B-A22B-Instruct-2507_deploy.yaml", new Accepted(ManifestFormat.SDL, 1, 8, "h100-80GB")),
            Map.entry("akash-sdl/Venice-ElizaOS_deploy.yml", new Refused("profiles.compute.service-1.resources.cpu.units",
                    "profiles.compute.service-1.resources.cpu.units: expected a number like 0.5, 2 or 500m, got a list")),
            Map.entry("akash-sdl/adminer_deploy.yaml", new Accepted(ManifestFormat.SDL, 1, 0, "")),
            Map.entry("akash-sdl/concordium_deploy.yaml", new Accepted(ManifestFormat.SDL, 2, 0, "")),
            Map.entry("akash-sdl/gminer-c11_deploy.yaml", new Accepted(ManifestFormat.SDL, 1, 1, "")),
            Map.entry("akash-sdl/gpt4all_deploy.yaml", new Accepted(ManifestFormat.SDL, 1, 0, "")),
            Map.entry("akash-sdl/handshake_deploy.yaml", new Accepted(ManifestFormat.SDL, 1, 0, "")),
            Map.entry("akash-sdl/lolminer-c11_deploy.yaml", new Accepted(ManifestFormat.SDL, 1, 1, "")),
            Map.entry("akash-sdl/minesweeper_deploy.yaml", new Accepted(ManifestFormat.SDL, 1, 0, "")),
            Map.entry("akash-sdl/v2ray_deploy.yml", new Accepted(ManifestFormat.SDL, 1, 0, "")),
            Map.entry("akash-sdl/whisper-gui-gpu_deploy.yaml", new Accepted(ManifestFormat.SDL, 1, 1, "")),
            Map.entry("akash-sdl/whoogle-search_deploy.yaml", new Accepted(ManifestFormat.SDL, 1, 0, "")),
            Map.entry("spheron-icl/examples_spheron.fizz.yaml", ICL_RTX4090),
            Map.entry("spheron-icl/examples_spheron.multiservice.yaml", new Accepted(ManifestFormat.ICL, 2, 1, "rtx4090")),
            Map.entry("spheron-icl/examples_spheron.persistent.yaml", ICL_RTX4090),
            Map.entry("spheron-icl/examples_spheron.provider.yaml", ICL_RTX4090),
            Map.entry("spheron-icl/examples_spheron.ssh.yaml", ICL_RTX4090),
            Map.entry("spheron-icl/jupyter-with-pytorch_spheron.yaml", ICL_RTX4090),
            Map.entry("spheron-icl/nvidia-cuda-devel_spheron.yaml", ICL_RTX4090),
            Map.entry("spheron-icl/nvidia-cudnn-devel_spheron.yaml", ICL_RTX4090),
            Map.entry("spheron-icl/ollama-webui_spheron.yaml", ICL_RTX4090),
            Map.entry("spheron-icl/ollama-with-preloaded-model_spheron.yaml", ICL_RTX4090),
            Map.entry("spheron-icl/pytorch_spheron.yaml", ICL_RTX4090),
            Map.entry("spheron-icl/ray_head_spheron.yaml", ICL_CPU),
            Map.entry("spheron-icl/ray_worker_spheron.yaml", ICL_RTX4090),
            Map.entry("spheron-icl/tensorflow_spheron.yaml", ICL_RTX4090),
            Map.entry("spheron-icl/ubuntu22_spheron.yaml", ICL_CPU),
            Map.entry("spheron-icl/ubuntu24_spheron.yaml", ICL_CPU),
            Map.entry("spheron-icl/unsloth-finetuning_spheron.yaml", new Accepted(ManifestFormat.ICL, 1, 1, "rtx6000-ada")),
            Map.entry("spheron-icl/vllm_spheron.yaml", new Accepted(ManifestFormat.ICL, 1, 1, "rtx6000-ada")),
            Map.entry("spheron-icl/vscode-ollama_spheron.yaml", new Accepted(ManifestFormat.ICL, 2, 1, "rtx4090")),
            Map.entry("spheron-icl/vscode-pytorch_spheron.yaml", ICL_RTX4090),
            Map.entry("spheron-icl/wordpress_spheron.yaml", new Accepted(ManifestFormat.ICL, 2, 0, "")));

    static Stream<Arguments> fixtures() {
        return Fixtures.names().stream().map(name -> Arguments.of(name, EXPECTED.get(name)));
    }

    @Test
    void everyFixtureHasAnExpectedOutcome() {
        assertThat(Fixtures.names()).hasSizeGreaterThanOrEqualTo(33);
        assertThat(EXPECTED.keySet()).containsExactlyInAnyOrderElementsOf(Fixtures.names());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void fixtureIsAcceptedOrRefusedAsExpected(String name, Object expected) {
        byte[] yaml = Fixtures.bytes(name);
        if (expected instanceof Accepted accepted) {
            Manifest manifest = ManifestParser.parse(yaml);
            assertThat(manifest.format()).isEqualTo(accepted.format());
            assertThat(manifest.services()).hasSize(accepted.services());
            assertThat(manifest.totalGpus()).isEqualTo(accepted.gpus());
            assertThat(manifest.resources().gpuCount()).isEqualTo(accepted.gpus());
            assertThat(manifest.resources().gpuModel()).isEqualTo(accepted.gpuModel());
            assertThat(manifest.canonicalHash()).matches("0x[0-9a-f]{64}");
            assertThat(manifest.deployments()).extracting(DeploymentEntry::service)
                    .containsAll(manifest.services().keySet());
        } else {
            Refused refused = (Refused) expected;
            assertThatThrownBy(() -> ManifestParser.parse(yaml))
                    .isInstanceOfSatisfying(ManifestException.class, e -> {
                        assertThat(e.field()).isEqualTo(refused.field());
                        assertThat(e.getMessage()).isEqualTo(refused.message());
                    });
        }
    }

    private static List<Manifest> accepted() {
        return EXPECTED.entrySet().stream().filter(e -> e.getValue() instanceof Accepted).map(Map.Entry::getKey).sorted()
                .map(name -> ManifestParser.parse(Fixtures.bytes(name))).toList();
    }

    @Test
    void everyAcceptedFixturesGroupsHoldAllItsReplicasAndResources() {
        for (Manifest m : accepted()) {
            List<DeploymentGroup.Resource> resources = DeploymentGroups.of(m).stream()
                    .flatMap(g -> g.resources().stream()).toList();
            assertThat(resources.stream().mapToInt(DeploymentGroup.Resource::count).sum())
                    .isEqualTo(m.deployments().stream().mapToInt(DeploymentEntry::count).sum());
            assertThat(resources.stream().mapToLong(r -> r.cpuMilli() * r.count()).sum()).isEqualTo(m.resources().cpuMilli());
            assertThat(resources.stream().mapToInt(r -> r.gpuUnits() * r.count()).sum()).isEqualTo(m.totalGpus());
        }
    }

    /** Every real SDL here prices in uact (ACT, one US dollar), so each deploys without --max-price or an AKT price. */
    @Test
    void everyAcceptedSdlFixtureHasAPricePerHourWithoutAnAktPrice() {
        for (Manifest m : accepted()) {
            if (m.format() == ManifestFormat.SDL) {
                assertThat(BlockPricing.denominationsWithoutRate(m, DenominationRates.withoutAktPrice())).isEmpty();
                assertThat(BlockPricing.convert(m, DenominationRates.withoutAktPrice()).baseUnitsPerHour()).isPositive();
            }
        }
    }

    @Test
    void qwenAsksForEightH100OrA100WithTheirMemoryAndMountsItsVolumes() {
        Manifest m = ManifestParser.parse(Fixtures.bytes("akash-sdl/Qwen3-235B-A22B-Instruct-2507_deploy.yaml"));
        ComputeProfile p = m.profile("sglang");
        assertThat(p.gpus()).containsExactly(new GpuRequirement("nvidia", "h100", "80Gi", null),
                new GpuRequirement("nvidia", "a100", "80Gi", null));
        assertThat(m.gpuModels()).containsExactly("h100", "a100");
        // Its 10 GiB shm (class: ram) is memory, not storage.
        assertThat(m.summary()).isEqualTo("1 service, 8x h100 or a100 (NVIDIA), 64 CPU, 138 GiB memory, 550 GiB storage");
        assertThat(p.storage()).containsExactly(
                new StorageVolume("default", 50L << 30, false, null),
                new StorageVolume("data", 500L << 30, true, "beta3"),
                new StorageVolume("shm", 10L << 30, false, "ram"));
        ServiceSpec s = m.service("sglang");
        assertThat(s.storage()).containsOnlyKeys("shm", "data");
        assertThat(s.storage().get("data")).isEqualTo(new StorageMount("data", "/root/.cache", false));
        assertThat(s.command()).containsExactly("bash", "-c");
        assertThat(s.args()).singleElement().asString().startsWith("python3 -m sglang.launch_server");
        assertThat(m.placements().get("dcloud").pricing().get("sglang"))
                .isEqualTo(new Price("uact", new java.math.BigDecimal("1000000"), false));
        assertThat(m.maxPricePerHour()).isEmpty();
        assertThat(m.durationSeconds()).isEmpty();
    }

    @Test
    void multiServiceIclKeepsEnvOrderInternalExposureAndPerHourPrices() {
        Manifest m = ManifestParser.parse(Fixtures.bytes("spheron-icl/examples_spheron.multiservice.yaml"));
        assertThat(m.services().keySet()).containsExactly("vscode", "ollama");
        ServiceSpec vscode = m.service("vscode");
        assertThat(vscode.env().keySet()).containsExactly("PUID", "PGID", "TZ", "PASSWORD", "SUDO_PASSWORD",
                "DEFAULT_WORKSPACE", "OLLAMA_HOST");
        assertThat(vscode.env()).containsEntry("OLLAMA_HOST", "ollama:11434");
        Expose ollamaPort = m.service("ollama").expose().get(0);
        assertThat(ollamaPort.global()).isFalse();
        assertThat(ollamaPort.toServices()).containsExactly("vscode");
        assertThat(m.profile("ollama").volume("default"))
                .isEqualTo(new StorageVolume("default", 120L << 30, true, "beta3"));
        assertThat(m.durationSeconds()).hasValue(3600);
        assertThat(m.mode()).isEqualTo("provider");
        assertThat(m.name()).isEqualTo("vscode-ollama");
        assertThat(m.maxPricePerHour()).hasValueSatisfying(p -> assertThat(p).isEqualByComparingTo("1.5"));
        assertThat(m.resources()).isEqualTo(new ResourceTotals(12_000, 24_576, 133_120, 1, "rtx4090"));
        assertThat(m.summary()).isEqualTo("2 services, 1x rtx4090 (NVIDIA), 12 CPU, 24 GiB memory, 130 GiB storage, 1h");
    }

    @Test
    void envValuesKeepWhatFollowsTheFirstEqualsSignIncludingQuotesAndEmptiness() {
        Manifest gminer = ManifestParser.parse(Fixtures.bytes("akash-sdl/gminer-c11_deploy.yaml"));
        assertThat(gminer.service("gminer-c11").env())
                .containsEntry("WALLET_ADDRESS", "\"\"")
                .containsEntry("POOL", "\"stratum+ssl://us-solo-etc.2miners.com:15050\"");
        Manifest ray = ManifestParser.parse(Fixtures.bytes("spheron-icl/ray_worker_spheron.yaml"));
        assertThat(ray.service("ray-worker").env()).containsEntry("HEAD_NODE_ADDRESS", "");
        assertThat(ray.service("ray-worker").expose()).hasSize(21).allMatch(Expose::usePublicPort);
    }

    @Test
    void aGpuVendorWithoutModelsMeansAnyModelOfThatVendor() {
        Manifest m = ManifestParser.parse(Fixtures.bytes("akash-sdl/whisper-gui-gpu_deploy.yaml"));
        assertThat(m.profile("whisper-gui").gpus()).containsExactly(new GpuRequirement("nvidia", null, null, null));
        assertThat(m.gpuModels()).isEmpty();
        assertThat(m.summary()).contains("1x any NVIDIA");
    }

    @Test
    void handshakePublishesItsPeerPortOnOneLeasedIp() {
        Manifest m = ManifestParser.parse(Fixtures.bytes("akash-sdl/handshake_deploy.yaml"));
        assertThat(m.ipEndpoints()).containsExactly("hnsep1");
        assertThat(m.service("hnsnode").expose()).containsExactly(
                new Expose(12038, 12038, "TCP", true, List.of(), List.of(), null, false, "hnsep1"));
        assertThat(m.summary()).endsWith("101 GiB storage, 1 leased IP");
    }

    @Test
    void identicalFixturesUnderDifferentNamesHashAlike() {
        List<String> same = List.of("spheron-icl/examples_spheron.persistent.yaml", "spheron-icl/jupyter-with-pytorch_spheron.yaml");
        assertThat(ManifestParser.parse(Fixtures.bytes(same.get(0))).canonicalHash())
                .isEqualTo(ManifestParser.parse(Fixtures.bytes(same.get(1))).canonicalHash());
    }
}
