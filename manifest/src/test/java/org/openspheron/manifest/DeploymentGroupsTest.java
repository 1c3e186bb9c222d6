package org.openspheron.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The groups Akash's SDL parser builds, checked rule by rule against small files. */
class DeploymentGroupsTest {

    /** Services {@code web} (2 replicas) and {@code api} (1), both with profile {@code small}, in placement {@code dc}. */
    private static String twoServicesOneProfile(String version) {
        return """
                version: "%s"
                services:
                  web: {image: nginx:1.27}
                  api: {image: nginx:1.27}
                profiles:
                  compute:
                    small: {resources: {cpu: {units: 0.5}, memory: {size: 512Mi}, storage: {size: 1G}}}
                  placement:
                    dc: {pricing: {small: {denom: uact, amount: 100}}}
                deployment:
                  web: {dc: {profile: small, count: 2}}
                  api: {dc: {profile: small, count: 1}}
                """.formatted(version);
    }

    private static List<DeploymentGroup> groups(String yaml) {
        return DeploymentGroups.of(ManifestParser.parse(yaml));
    }

    /** Two placements: {@code web} in {@code west}, {@code api} in {@code east}. */
    static final String TWO_PLACEMENTS = """
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

    @Test
    void eachPlacementIsAGroupOfItsOwnAndOrderingOneLeaseForSeveralIsRefusedNamingThem() {
        Manifest manifest = ManifestParser.parse(TWO_PLACEMENTS);
        assertThat(DeploymentGroups.of(manifest)).extracting(DeploymentGroup::name).containsExactly("east", "west");

        assertThatThrownBy(() -> DeploymentGroups.requireOneGroup(manifest))
                .isInstanceOfSatisfying(ManifestException.class, e -> assertThat(e.field()).isEqualTo("profiles.placement"))
                .hasMessageContaining("2 placements (east, west)")
                .hasMessageContaining("one lease per manifest");
        DeploymentGroups.requireOneGroup(ManifestParser.parse(twoServicesOneProfile("2.1")));
    }

    @Test
    void sdl20GivesEachDeploymentItsOwnResourceEvenWhenTheyShareAProfile() {
        List<DeploymentGroup> groups = groups(twoServicesOneProfile("2.0"));
        assertThat(groups).singleElement().satisfies(g -> {
            assertThat(g.name()).isEqualTo("dc");
            assertThat(g.resources()).extracting(DeploymentGroup.Resource::id, DeploymentGroup.Resource::services,
                            DeploymentGroup.Resource::count)
                    .containsExactly(tuple(1, List.of("api"), 1), tuple(2, List.of("web"), 2));
        });
    }

    @Test
    void sdl21ServicesSharingAProfileInAPlacementShareOneResourceAndAddTheirCounts() {
        List<DeploymentGroup.Resource> resources = groups(twoServicesOneProfile("2.1")).get(0).resources();
        assertThat(resources).hasSize(1);
        DeploymentGroup.Resource shared = resources.get(0);
        assertThat(shared.id()).isEqualTo(1);
        assertThat(shared.services()).containsExactly("api", "web");
        assertThat(shared.count()).isEqualTo(3);
        assertThat(shared.cpuMilli()).isEqualTo(500);
        assertThat(shared.memoryBytes()).isEqualTo(512L << 20);
        assertThat(shared.storage()).containsExactly(new DeploymentGroup.Volume("default", 1_000_000_000L, null, false));
        assertThat(shared.price()).isEqualTo(new Price("uact", new BigDecimal("100"), false));
    }

    @Test
    void groupsComeInPlacementNameOrderAndResourcesInServiceNameOrder() {
        List<DeploymentGroup> groups = groups("""
                version: "2.0"
                services:
                  zeta: {image: nginx:1.27}
                  alpha: {image: nginx:1.27}
                profiles:
                  compute:
                    p: {resources: {cpu: {units: 1}, memory: {size: 1Gi}, storage: {size: 1Gi}}}
                  placement:
                    west: {pricing: {p: {denom: uakt, amount: 10}}}
                    east: {pricing: {p: {denom: uakt, amount: 20}}}
                deployment:
                  zeta: {west: {profile: p, count: 1}, east: {profile: p, count: 1}}
                  alpha: {west: {profile: p, count: 1}}
                """);
        assertThat(groups).extracting(DeploymentGroup::name).containsExactly("east", "west");
        assertThat(groups.get(1).resources()).extracting(r -> r.services().get(0)).containsExactly("alpha", "zeta");
        assertThat(groups.get(0).resources().get(0).price().amount()).isEqualByComparingTo("20");
    }

    @Test
    void volumesComeInAkashsOrderAndAPersistentVolumeWithoutClassIsInClassDefault() {
        List<DeploymentGroup.Volume> storage = groups("""
                version: "2.0"
                services:
                  db:
                    image: postgres:16
                    params: {storage: {data: {mount: /var/lib/postgresql/data}, shm: {mount: /dev/shm}}}
                profiles:
                  compute:
                    db:
                      resources:
                        cpu: {units: 1}
                        memory: {size: 2Gi}
                        storage:
                          - {name: root, size: 5Gi}
                          - {name: data, size: 10Gi, attributes: {persistent: true}}
                          - {name: shm, size: 1Gi, attributes: {class: ram}}
                          - {name: tmp, size: 5Gi}
                  placement:
                    dc: {pricing: {db: {denom: uact, amount: 1}}}
                deployment:
                  db: {dc: {profile: db, count: 1}}
                """).get(0).resources().get(0).storage();
        // By size; the two 5Gi volumes without attributes trade places, as Go's insertion sort over Akash's
        // comparator (which calls either one "less") leaves them.
        assertThat(storage).containsExactly(
                new DeploymentGroup.Volume("shm", 1L << 30, "ram", false),
                new DeploymentGroup.Volume("tmp", 5L << 30, null, false),
                new DeploymentGroup.Volume("root", 5L << 30, null, false),
                new DeploymentGroup.Volume("data", 10L << 30, "default", true));
    }

    @Test
    void gpusAreAkashsAttributeKeysSortedWithTheirMemoryInWholeGibibytes() {
        DeploymentGroup.Resource r = groups("""
                version: "2.0"
                services:
                  llm: {image: vllm/vllm-openai:v0.6.0}
                profiles:
                  compute:
                    llm:
                      resources:
                        cpu: {units: 8}
                        memory: {size: 64Gi}
                        storage: {size: 100Gi}
                        gpu:
                          units: 2
                          attributes:
                            vendor:
                              nvidia:
                                - {model: h100, ram: 80Gi, interface: sxm}
                                - {model: a100, ram: 40960Mi}
                  placement:
                    dc: {pricing: {llm: {denom: uact, amount: 5000}}}
                deployment:
                  llm: {dc: {profile: llm, count: 1}}
                """).get(0).resources().get(0);
        assertThat(r.gpuUnits()).isEqualTo(2);
        assertThat(r.gpus()).containsExactly(
                new DeploymentGroup.Gpu("nvidia", "a100", "40Gi", null, "vendor/nvidia/model/a100/ram/40Gi"),
                new DeploymentGroup.Gpu("nvidia", "h100", "80Gi", "sxm", "vendor/nvidia/model/h100/ram/80Gi/interface/sxm"));
    }

    @Test
    void aVendorWithoutModelsIsAnyModel() {
        Manifest m = ManifestParser.parse(Fixtures.bytes("akash-sdl/whisper-gui-gpu_deploy.yaml"));
        assertThat(DeploymentGroups.of(m).get(0).resources().get(0).gpus())
                .containsExactly(new DeploymentGroup.Gpu("nvidia", "*", null, null, "vendor/nvidia/model/*"));
    }

    @Test
    void anIclFileIsGroupedAsSdl20AndKeepsItsPricePerHour() {
        DeploymentGroup.Resource r = groups(ManifestParserTest.WEB).get(0).resources().get(0);
        assertThat(r.count()).isEqualTo(2);
        assertThat(r.cpuMilli()).isEqualTo(2000);
        assertThat(r.price()).isEqualTo(new Price("uSPON", new BigDecimal("2.5"), true));
    }
}
