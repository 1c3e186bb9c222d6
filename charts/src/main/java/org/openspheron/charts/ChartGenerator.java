package org.openspheron.charts;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Writes the Helm charts from the plain manifests, the one source of truth: {@code k8s/<app>/*.yaml} become the
 * chart's templates (edited only at the declared {@link ValuePlace}s and namespace fields), each file of {@code crds/}
 * is copied to the {@code crds/} of the one chart that owns it (which Helm applies before the templates; see
 * {@link CrdOwners} and {@link #crdFile}), and Chart.yaml takes the project version.
 *
 * <p>Run by the charts module's tests, which compare the result with the checked-in charts. To refresh those after
 * editing k8s/ or crds/:
 * {@code mvn -B -ntp -pl charts -am test -Dtest=ChartFilesTest -Dsurefire.failIfNoSpecifiedTests=false -Dspheron.charts.refresh=true}
 */
public final class ChartGenerator {
    private final Path root;
    private final String version;

    /**
     * @param root    the repository root (holding k8s/ and crds/)
     * @param version the project version: the charts' version and appVersion, and the image tag the manifests must use
     */
    public ChartGenerator(Path root, String version) {
        this.root = root;
        this.version = version;
    }

    /** Writes every chart into {@code output}/{@code <chart name>}, replacing what was there. */
    public void writeAll(Path output) {
        writeAll(ChartSource.ALL, output);
    }

    /** Writes {@code charts}, which between them must own every CRD of crds/, each once. */
    void writeAll(List<ChartSource> charts, Path output) {
        Map<Path, ChartSource> crdOwners;
        try {
            crdOwners = CrdOwners.of(root.resolve("crds"), charts);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CRDs in " + root.resolve("crds"), e);
        }
        for (ChartSource chart : charts) {
            List<Path> crds = crdOwners.entrySet().stream().filter(owner -> owner.getValue().equals(chart))
                    .map(Map.Entry::getKey).toList();
            write(chart, crds, output.resolve(chart.name()));
        }
    }

    private void write(ChartSource chart, List<Path> crdFiles, Path dir) {
        try {
            delete(dir);
            Path templates = Files.createDirectories(dir.resolve("templates"));
            Path crds = Files.createDirectories(dir.resolve("crds"));
            Values values = new Values(version);
            values.put("namespace.create", JsonNodeFactory.instance.booleanNode(false), "the chart");
            values.describe("namespace", "Render the release namespace too, labelled for the restricted pod security "
                    + "standard as in k8s/" + chart.appDirectory() + "/: for helm template output applied with kubectl "
                    + "or a GitOps tool. Leave it off for helm install, which records the release in the namespace "
                    + "before applying anything: use --create-namespace, then kubectl label namespace <namespace> "
                    + "pod-security.kubernetes.io/enforce=restricted.");
            Set<ValuePlace> matched = new LinkedHashSet<>();
            List<Path> manifests = yamlFiles(root.resolve("k8s").resolve(chart.appDirectory()));
            if (manifests.isEmpty()) {
                throw new ChartGenerationException("no YAML in k8s/" + chart.appDirectory() + " for chart " + chart.name());
            }
            for (Path manifest : manifests) {
                String source = root.relativize(manifest).toString().replace('\\', '/');
                ManifestTemplate template = new ManifestTemplate(source, chart.namespace(), chart.places(), values, matched);
                Files.writeString(templates.resolve(manifest.getFileName().toString()),
                        template.template(Files.readString(manifest)));
            }
            for (ValuePlace place : chart.places()) {
                if (!matched.contains(place)) {
                    throw new ChartGenerationException("chart " + chart.name() + ": no " + place.kind() + " in k8s/"
                            + chart.appDirectory() + " has the field " + place.path() + " declared for ." + "Values."
                            + place.valuesKey() + "; update the declaration in ChartSource to the manifests");
                }
            }
            if (chart.notes() != null) {
                Files.writeString(templates.resolve("NOTES.txt"), chart.notes());
            }
            for (Path crd : crdFiles) {
                Files.writeString(crds.resolve(crd.getFileName().toString()), crdFile(Files.readString(crd)));
            }
            String generated = "# Generated from k8s/" + chart.appDirectory() + "/ and crds/ by the charts module "
                    + "(ChartGenerator): edit those, then regenerate.\n";
            Files.writeString(dir.resolve("Chart.yaml"), generated + """
                    apiVersion: v2
                    name: %s
                    description: %s
                    type: application
                    version: %s
                    appVersion: %s
                    """.formatted(chart.name(), Values.quoted(chart.description()), version, Values.quoted(version)));
            Files.writeString(dir.resolve("values.yaml"), values.yaml(generated));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write chart " + chart.name() + " to " + dir, e);
        }
    }

    /**
     * A CRD file as the chart carries it: as in crds/, opened with a document separator, because
     * {@code helm show crds} (how a provider upgrades CRDs, which Helm never does itself) concatenates the files as
     * they are and would otherwise run two CRDs into one YAML document.
     */
    static String crdFile(String text) {
        return text.startsWith("---") ? text : "---\n" + text;
    }

    static List<Path> yamlFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList();
        }
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** {@code ChartGenerator <repository root> <project version> <output directory>} */
    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: ChartGenerator <repository root> <project version> <output directory>");
            System.exit(2);
        }
        new ChartGenerator(Path.of(args[0]), args[1]).writeAll(Path.of(args[2]));
    }
}
