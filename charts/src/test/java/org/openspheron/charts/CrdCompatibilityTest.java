package org.openspheron.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every CRD version a release shipped stays served, and its schema keeps reading what it let providers store
 * ({@link CrdCompatibility}). The schemas as released are kept in {@code src/test/resources/released-crds/<version>/};
 * a change these tests refuse needs a new version with a conversion (README, "CRD versions and upgrades"), not an
 * edit of the snapshot.
 */
class CrdCompatibilityTest {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Path RELEASED = Path.of("src", "test", "resources", "released-crds");
    private static final Path CURRENT = ChartFilesTest.ROOT.resolve("crds");

    @Test
    void everyReleasedCrdVersionIsStillServedWithASchemaThatReadsWhatItStored() throws IOException {
        List<Path> released = files(RELEASED);
        assertThat(released).as("released CRD snapshots").hasSizeGreaterThanOrEqualTo(3);
        for (Path snapshot : released) {
            Path current = CURRENT.resolve(snapshot.getFileName());
            assertThat(current).as("the CRD of released %s is gone from crds/", RELEASED.relativize(snapshot)).exists();
            assertThat(CrdCompatibility.breaks(read(snapshot), read(current)))
                    .as("changes to crds/%s that break objects stored under %s", current.getFileName(),
                            RELEASED.relativize(snapshot))
                    .isEmpty();
        }
    }

    @Test
    void everyCrdOfTodayHasASnapshotOfItsReleasedSchema() {
        for (Path crd : files(CURRENT)) {
            assertThat(files(RELEASED)).as("a snapshot of %s under %s", crd.getFileName(), RELEASED)
                    .anyMatch(p -> p.getFileName().equals(crd.getFileName()));
        }
    }

    @Test
    void additiveChangesPass() throws IOException {
        JsonNode released = read(RELEASED.resolve("v1alpha1/spheronleases.openspheron.org-v1.yml"));
        ObjectNode current = released.deepCopy();
        ObjectNode spec = (ObjectNode) current.at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties");
        spec.putObject("newOptionalField").put("type", "string");
        ((ArrayNode) current.at("/spec/versions/0/schema/openAPIV3Schema/properties/status/properties/phase/enum"))
                .add("Paused");
        ((ArrayNode) current.at("/spec/versions")).addObject().put("name", "v1beta1").put("served", true)
                .put("storage", false);

        assertThat(CrdCompatibility.breaks(released, current)).isEmpty();
    }

    @Test
    void removingRetypingRequiringOrTighteningAFieldIsABreak() throws IOException {
        JsonNode released = read(RELEASED.resolve("v1alpha1/spheronleases.openspheron.org-v1.yml"));
        ObjectNode current = released.deepCopy();
        String spec = "/spec/versions/0/schema/openAPIV3Schema/properties/spec";
        ObjectNode resources = (ObjectNode) current.at(spec + "/properties/resources/properties");
        resources.remove("storageMb");
        ((ObjectNode) resources.get("memoryMb")).put("type", "string");
        ((ObjectNode) resources.get("cpuMilli")).put("maximum", 64_000);
        ((ArrayNode) current.at(spec + "/properties/resources/required")).add("storageMb");
        ((ObjectNode) current.at(spec + "/properties/tenant")).put("pattern", "^0x[0-9a-f]{40}$");

        assertThat(CrdCompatibility.breaks(released, current)).containsExactlyInAnyOrder(
                "spheronleases.openspheron.org v1alpha1 .spec.resources: newly required storageMb (objects stored without it fail their next update)",
                "spheronleases.openspheron.org v1alpha1 .spec.resources.storageMb: removed (stored values are pruned on read)",
                "spheronleases.openspheron.org v1alpha1 .spec.resources.memoryMb: type \"integer\" became \"string\"",
                "spheronleases.openspheron.org v1alpha1 .spec.resources.cpuMilli: maximum 64000 added",
                "spheronleases.openspheron.org v1alpha1 .spec.tenant: pattern \"^0x[0-9a-fA-F]{40}$\" became \"^0x[0-9a-f]{40}$\"");
    }

    @Test
    void aVersionNoLongerServedOrTwoStorageVersionsIsABreak() throws IOException {
        JsonNode released = read(RELEASED.resolve("v1alpha1/gpudeployments.openspheron.org-v1.yml"));
        ObjectNode current = released.deepCopy();
        ((ObjectNode) current.at("/spec/versions/0")).put("name", "v1beta1");
        ((ArrayNode) current.at("/spec/versions")).addObject().put("name", "v1").put("served", true).put("storage", true);

        assertThat(CrdCompatibility.breaks(released, current)).containsExactlyInAnyOrder(
                "gpudeployments.openspheron.org: 2 storage versions; the API server needs exactly one",
                "gpudeployments.openspheron.org v1alpha1: no longer served; objects stored as v1alpha1 become unreadable");
    }

    private static List<Path> files(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode read(Path file) throws IOException {
        return YAML.readTree(file.toFile());
    }
}
