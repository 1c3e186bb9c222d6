package org.openspheron.charts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
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
    void everyManifestAndCrdReachesTheChart() throws IOException {
        for (ChartSource chart : ChartSource.ALL) {
            Map<String, String> files = files(CHECKED_IN.resolve(chart.name()));
            for (Path manifest : ChartGenerator.yamlFiles(ROOT.resolve("k8s").resolve(chart.appDirectory()))) {
                assertThat(files).containsKey("templates/" + manifest.getFileName());
            }
            for (Path crd : ChartGenerator.yamlFiles(ROOT.resolve("crds"))) {
                assertThat(files.get("crds/" + crd.getFileName())).isEqualTo(ChartGenerator.crdFile(Files.readString(crd)))
                        .endsWith(Files.readString(crd));
            }
            assertThat(files.get("Chart.yaml")).contains("version: " + VERSION, "appVersion: \"" + VERSION + "\"");
        }
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
