package org.openspheron.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The checked-in charts rendered by Helm itself (helm-java runs Helm's Go library in-process): with the default
 * values they give back exactly the objects of k8s/&lt;app&gt;/ and of their own CRDs in crds/; overridden values change
 * those fields and nothing else; {@code helm lint --strict} passes. Offline: what the renders do on a real API server is HelmReleaseTest's.
 */
class HelmChartTest {
    static final List<ChartSource> CHARTS = ChartSource.ALL;
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final String OTHER_NAMESPACE = "gpu-operators";

    @ParameterizedTest
    @FieldSource("CHARTS")
    void helmLintFindsNothingToFix(ChartSource chart) {
        LintResult lint = new Helm(chartDir(chart)).lint().strict().call();
        assertThat(lint.isFailed()).as("helm lint --strict %s: %s", chart.name(), lint.getMessages()).isFalse();
    }

    @ParameterizedTest
    @FieldSource("CHARTS")
    void defaultValuesRenderExactlyThePlainManifests(ChartSource chart) throws IOException {
        String rendered = template(chart, chart.namespace(), t -> t.set("namespace.create", "true"));
        assertSameObjects(documents(rendered, chart), plainManifests(chart));
    }

    @ParameterizedTest
    @FieldSource("CHARTS")
    void byDefaultTheReleaseNamespaceIsLeftToHelm(ChartSource chart) throws IOException {
        Map<String, JsonNode> expected = plainManifests(chart);
        expected.values().removeIf(doc -> doc.path("kind").asText().equals("Namespace"));
        assertSameObjects(documents(template(chart, chart.namespace(), t -> { }), chart), expected);
    }

    @ParameterizedTest
    @FieldSource("CHARTS")
    void overriddenValuesLandAtTheirPlacesAndNowhereElse(ChartSource chart) throws IOException {
        String rendered = template(chart, OTHER_NAMESPACE, ChartOverrides.values(chart));
        Map<String, JsonNode> expected = plainManifests(chart);
        expected.values().forEach(doc -> ChartOverrides.applyTo((ObjectNode) doc, chart, OTHER_NAMESPACE));
        assertSameObjects(documents(rendered, chart), expected);
        // The oracle above edits the trees independently of the generator; check a few fields by name too.
        JsonNode deployment = documents(rendered, chart).get("templates/40-deployment.yaml#0");
        JsonNode container = deployment.at("/spec/template/spec/containers/0");
        assertThat(container.path("image").asText()).isEqualTo("registry.example.org/spheron/app:9.9.9");
        assertThat(container.at("/resources/limits/memory").asText()).isEqualTo("3Gi");
        assertThat(deployment.at("/metadata/namespace").asText()).isEqualTo(OTHER_NAMESPACE);
        JsonNode config = documents(rendered, chart).get("templates/30-config.yaml#0");
        assertThat(config.at("/data/SPHERON_CHAIN_RPC_URL").asText()).isEqualTo("https://rpc.mainnet.example.net");
        assertThat(config.at("/data/SPHERON_CHAIN_CONFIRMATIONS").isTextual()).as("a --set number stays a string").isTrue();
    }

    static Path chartDir(ChartSource chart) {
        return ChartFilesTest.CHECKED_IN.resolve(chart.name());
    }

    /**
     * What {@code helm install} applies: the chart's CRDs (helm show crds; helm template leaves them out), then the
     * rendered templates.
     */
    static String template(ChartSource chart, String namespace, Consumer<TemplateCommand> values) {
        TemplateCommand template = new Helm(chartDir(chart)).template().withName("spheron").withNamespace(namespace);
        values.accept(template);
        String crds = new Helm(chartDir(chart)).show().crds().call();
        return crds + "\n---\n" + template.call();
    }

    /**
     * Helm's output as objects keyed by where they come from ({@code templates/<file>#<n>}, see {@link #numbered}):
     * Helm writes a "# Source: chart/path" line above every document it renders; CRDs by name.
     */
    static Map<String, JsonNode> documents(String rendered, ChartSource chart) throws IOException {
        Map<String, JsonNode> documents = new TreeMap<>();
        Map<String, List<JsonNode>> byPath = new TreeMap<>();
        for (String doc : rendered.split("(?m)^---\\s*$")) {
            String source = doc.lines().filter(l -> l.startsWith("# Source: ")).findFirst()
                    .map(l -> l.substring("# Source: ".length()).strip()).orElse(null);
            JsonNode node = YAML.readTree(doc);
            if (node == null || !node.isObject()) {
                continue;
            }
            if (node.path("kind").asText().equals("CustomResourceDefinition") && source == null) {
                documents.put(crdKey(node), node);
                continue;
            }
            assertThat(source).as("a rendered document without a Source line:%n%s", doc).isNotNull()
                    .startsWith(chart.name() + "/");
            byPath.computeIfAbsent(source.substring(chart.name().length() + 1), p -> new ArrayList<>()).add(node);
        }
        byPath.forEach((path, nodes) -> numbered(documents, path, nodes));
        return documents;
    }

    /** The objects of k8s/<app>/ and of the chart's own CRDs in crds/, keyed as {@link #documents} keys Helm's output. */
    static Map<String, JsonNode> plainManifests(ChartSource chart) throws IOException {
        Map<String, JsonNode> documents = new TreeMap<>();
        addAll(documents, "templates/", ChartGenerator.yamlFiles(ChartFilesTest.ROOT.resolve("k8s").resolve(chart.appDirectory())));
        for (Path file : ChartGenerator.yamlFiles(ChartFilesTest.ROOT.resolve("crds"))) {
            for (String doc : Files.readString(file).split("(?m)^---\\s*$")) {
                JsonNode node = YAML.readTree(doc);
                if (node != null && node.isObject() && chart.crds().contains(node.at("/metadata/name").asText())) {
                    documents.put(crdKey(node), node);
                }
            }
        }
        return documents;
    }

    /** helm show crds prints no Source lines: CRDs are keyed by name. */
    private static String crdKey(JsonNode crd) {
        return "crds: " + crd.at("/metadata/name").asText();
    }

    private static void addAll(Map<String, JsonNode> documents, String prefix, List<Path> files) throws IOException {
        for (Path file : files) {
            List<JsonNode> nodes = new ArrayList<>();
            for (String doc : Files.readString(file).split("(?m)^---\\s*$")) {
                JsonNode node = YAML.readTree(doc);
                if (node != null && node.isObject()) {
                    nodes.add(node);
                }
            }
            numbered(documents, prefix + file.getFileName(), nodes);
        }
    }

    /**
     * Keys a file's documents {@code path#<n>} in the order of their kind and name, not their place in the file: Helm
     * sorts what it renders by kind (every Role before any RoleBinding), so a file's order does not survive it.
     */
    private static void numbered(Map<String, JsonNode> documents, String path, List<JsonNode> nodes) {
        List<JsonNode> sorted = new ArrayList<>(nodes);
        sorted.sort(java.util.Comparator.comparing((JsonNode n) -> n.path("kind").asText())
                .thenComparing(n -> n.at("/metadata/name").asText()));
        for (int i = 0; i < sorted.size(); i++) {
            documents.put(path + "#" + i, sorted.get(i));
        }
    }

    /** Equal object trees; on failure, lists where they differ rather than printing both whole. */
    static void assertSameObjects(Map<String, JsonNode> actual, Map<String, JsonNode> expected) {
        List<String> differences = new ArrayList<>();
        for (String key : new java.util.TreeSet<>(union(actual.keySet(), expected.keySet()))) {
            differ(key, expected.get(key), actual.get(key), differences);
        }
        assertThat(differences).as("where Helm's rendering differs from the expected objects (expected -> rendered)")
                .isEmpty();
    }

    private static java.util.Set<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        java.util.Set<String> all = new java.util.TreeSet<>(a);
        all.addAll(b);
        return all;
    }

    private static void differ(String at, JsonNode expected, JsonNode actual, List<String> out) {
        if (expected != null && actual != null && expected.isContainerNode() && expected.getNodeType() == actual.getNodeType()) {
            if (expected.isObject()) {
                java.util.Set<String> names = new java.util.TreeSet<>();
                expected.fieldNames().forEachRemaining(names::add);
                actual.fieldNames().forEachRemaining(names::add);
                for (String name : names) {
                    differ(at + "/" + name, expected.get(name), actual.get(name), out);
                }
            } else {
                for (int i = 0; i < Math.max(expected.size(), actual.size()); i++) {
                    differ(at + "/" + i, expected.get(i), actual.get(i), out);
                }
            }
        } else if (expected == null || !expected.equals(actual)) {
            out.add(at + ": " + expected + " -> " + actual);
        }
    }
}
