package org.openspheron.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The checked-in charts are exactly what the generator makes from today's k8s/ and crds/: a manifest edited without
 * regenerating (or a chart edited by hand) fails here, so the chart and the plain manifests cannot drift.
 */
class ChartFilesTest {
    static final Path ROOT = Path.of(System.getProperty("spheron.root", ".."));
    static final Path CHECKED_IN = ROOT.resolve("charts");
    static final String VERSION = System.getProperty("spheron.version", "0.1.0-SNAPSHOT");
    static final String REFRESH = "mvn -B -ntp -pl charts -am test -Dtest=ChartFilesTest "
            + "-Dsurefire.failIfNoSpecifiedTests=false -Dspheron.charts.refresh=true";
    private static final YAMLMapper YAML = new YAMLMapper();

    @Test
    void checkedInChartsAreTheOnesGeneratedFromTheManifests() throws IOException {
        Path generated = ROOT.resolve("charts/target/charts");
        new ChartGenerator(ROOT, VERSION).writeAll(generated);
        if (Boolean.getBoolean("spheron.charts.refresh")) {
            new ChartGenerator(ROOT, VERSION).writeAll(CHECKED_IN);
        }
        for (ChartSource chart : ChartSource.ALL) {
            Map<String, String> expected = files(generated.resolve(chart.name()));
            Map<String, String> actual = files(CHECKED_IN.resolve(chart.name()));
            assertThat(actual.keySet()).as("files of charts/%s; refresh with: %s", chart.name(), REFRESH)
                    .containsExactlyElementsOf(expected.keySet());
            for (Map.Entry<String, String> file : expected.entrySet()) {
                assertThat(actual.get(file.getKey()))
                        .as("charts/%s/%s differs from what k8s/%s and crds/ generate; refresh with: %s", chart.name(),
                                file.getKey(), chart.appDirectory(), REFRESH)
                        .isEqualTo(file.getValue());
            }
        }
    }

    @Test
    void everyManifestReachesItsChart() throws IOException {
        for (ChartSource chart : ChartSource.ALL) {
            Map<String, String> files = files(CHECKED_IN.resolve(chart.name()));
            for (Path manifest : ChartGenerator.yamlFiles(ROOT.resolve("k8s").resolve(chart.appDirectory()))) {
                assertThat(files).containsKey("templates/" + manifest.getFileName());
            }
            assertThat(files.get("Chart.yaml")).contains("version: " + VERSION, "appVersion: \"" + VERSION + "\"");
        }
    }

    /**
     * One chart per CRD, so that no other chart's version can decide its schema: the chart whose app the CRD is for,
     * told here by the app's RBAC in k8s/ (the resources it is granted in the CRD's group), not by the declarations
     * the generator reads.
     */
    @Test
    void everyCrdReachesExactlyOneChartTheOneWhoseAppUsesIt() throws IOException {
        for (Path crd : ChartGenerator.yamlFiles(ROOT.resolve("crds"))) {
            JsonNode definition = YAML.readTree(crd.toFile());
            String group = definition.at("/spec/group").asText();
            String plural = definition.at("/spec/names/plural").asText();
            List<ChartSource> users = ChartSource.ALL.stream()
                    .filter(chart -> rbacResources(chart, group).contains(plural)).toList();
            assertThat(users).as("charts whose app's RBAC in k8s/ grants on %s.%s", plural, group).hasSize(1);

            List<String> shippedBy = new ArrayList<>();
            for (ChartSource chart : ChartSource.ALL) {
                String shipped = files(CHECKED_IN.resolve(chart.name())).get("crds/" + crd.getFileName());
                if (shipped != null) {
                    assertThat(shipped).as("charts/%s/crds/%s", chart.name(), crd.getFileName())
                            .isEqualTo(ChartGenerator.crdFile(Files.readString(crd))).endsWith(Files.readString(crd));
                    shippedBy.add(chart.name());
                }
            }
            assertThat(shippedBy).as("charts shipping crds/%s", crd.getFileName()).containsExactly(users.get(0).name());
        }
    }

    /** The resources (subresources folded into theirs) that the Roles and ClusterRoles of k8s/&lt;app&gt;/ grant in {@code group}. */
    private static Set<String> rbacResources(ChartSource chart, String group) {
        Set<String> resources = new TreeSet<>();
        try {
            for (Path manifest : ChartGenerator.yamlFiles(ROOT.resolve("k8s").resolve(chart.appDirectory()))) {
                try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(manifest.toFile())) {
                    for (JsonNode document : documents.readAll()) {
                        if (document == null || !document.path("kind").asText().endsWith("Role")) {
                            continue;
                        }
                        for (JsonNode rule : document.path("rules")) {
                            List<String> groups = new ArrayList<>();
                            rule.path("apiGroups").forEach(g -> groups.add(g.asText()));
                            if (groups.contains(group)) {
                                rule.path("resources").forEach(r -> resources.add(r.asText().split("/")[0]));
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return resources;
    }

    static Map<String, String> files(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(f).toString().replace('\\', '/'), Files.readString(f));
            }
        }
        return files;
    }
}
