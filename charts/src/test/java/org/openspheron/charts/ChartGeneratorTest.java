package org.openspheron.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator on copies of the repository's manifests, changed the way contributors change them: a file added to
 * k8s/&lt;app&gt;/ reaches the chart with no change to the generator, an edited CRD reaches the one chart that owns it,
 * and a manifest or CRD the declarations no longer fit is refused with a message that says where and what to change.
 */
class ChartGeneratorTest {
    private static final String VERSION = ChartFilesTest.VERSION;

    @TempDir
    Path root;

    private void copyRepositoryManifests() throws IOException {
        for (String dir : List.of("k8s", "crds")) {
            Path from = ChartFilesTest.ROOT.resolve(dir);
            try (Stream<Path> files = Files.walk(from)) {
                for (Path f : files.toList()) {
                    Path to = root.resolve(dir).resolve(from.relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(f, to);
                    }
                }
            }
        }
    }

    @Test
    void aNewManifestAndAnEditedCrdReachTheirChartAndRenderAsWritten() throws IOException {
        copyRepositoryManifests();
        // Written the way kubectl and fabric8 write YAML: list items at their key's column.
        Files.writeString(root.resolve("k8s/matchmaker/20-rbac.yaml"), """
                # Lets the matchmaker read its matching policies.
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata:
                  name: spheron-matchmaker
                  namespace: spheron-matchmaker
                rules:
                - apiGroups: ["openspheron.org"]
                  resources:
                  - matchingpolicies
                  verbs: ["get", "list", "watch"]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata:
                  name: spheron-matchmaker
                  namespace: spheron-matchmaker
                roleRef:
                  apiGroup: rbac.authorization.k8s.io
                  kind: Role
                  name: spheron-matchmaker
                subjects:
                - kind: ServiceAccount
                  name: spheron-matchmaker
                  namespace: spheron-matchmaker
                """);
        Files.writeString(root.resolve("crds/matchingpolicies.openspheron.org-v1.yml"), """
                apiVersion: "apiextensions.k8s.io/v1"
                kind: "CustomResourceDefinition"
                metadata:
                  name: "matchingpolicies.openspheron.org"
                spec:
                  group: "openspheron.org"
                  names:
                    kind: "MatchingPolicy"
                    plural: "matchingpolicies"
                    singular: "matchingpolicy"
                  scope: "Namespaced"
                  versions:
                  - name: "v1alpha1"
                    served: true
                    storage: true
                    schema:
                      openAPIV3Schema:
                        type: "object"
                """);
        Path charts = root.resolve("charts");
        new ChartGenerator(root, VERSION).writeAll(charts);
        Path chart = charts.resolve("spheron-matchmaker");

        assertThat(Files.readString(chart.resolve("templates/20-rbac.yaml")))
                .contains("  namespace: {{ .Release.Namespace }}\n", "- kind: ServiceAccount\n  name: spheron-matchmaker\n"
                        + "  namespace: {{ .Release.Namespace }}\n")
                .doesNotContain("namespace: spheron-matchmaker");
        assertThat(chart.resolve("crds/matchingpolicies.openspheron.org-v1.yml")).content()
                .contains("    type: \"object\"\n").doesNotContain("mpol");
        assertThat(charts.resolve("spheron-provider-operator/crds/matchingpolicies.openspheron.org-v1.yml"))
                .as("only the matchmaker's chart ships its CRD").doesNotExist();

        String rendered = new Helm(chart).template().withName("spheron").withNamespace("mm").call();
        Map<String, JsonNode> documents = HelmChartTest.documents(rendered, ChartSource.MATCHMAKER);
        assertThat(documents.get("templates/20-rbac.yaml#0").at("/rules/0/resources/0").asText()).isEqualTo("matchingpolicies");
        assertThat(documents.get("templates/20-rbac.yaml#0").at("/metadata/namespace").asText()).isEqualTo("mm");
        assertThat(documents.get("templates/20-rbac.yaml#1").at("/subjects/0/namespace").asText()).isEqualTo("mm");
        assertThat(documents.get("templates/20-rbac.yaml#1").at("/subjects/0/name").asText()).isEqualTo("spheron-matchmaker");
    }

    @Test
    void aDeclaredPlaceTheManifestsNoLongerHaveIsRefused() throws IOException {
        copyRepositoryManifests();
        Path deployment = root.resolve("k8s/provider-operator/40-deployment.yaml");
        Files.writeString(deployment, Files.readString(deployment).replace("          imagePullPolicy: IfNotPresent\n", ""));
        assertThatThrownBy(() -> new ChartGenerator(root, VERSION).writeAll(root.resolve("charts")))
                .isInstanceOf(ChartGenerationException.class)
                .hasMessageContaining("spec.template.spec.containers[].imagePullPolicy")
                .hasMessageContaining("k8s/provider-operator");
    }

    @Test
    void aCrdNoChartOwnsIsRefused() throws IOException {
        copyRepositoryManifests();
        Files.writeString(root.resolve("crds/quotas.openspheron.org-v1.yml"), crd("quotas", "Quota"));
        assertThatThrownBy(() -> new ChartGenerator(root, VERSION).writeAll(root.resolve("charts")))
                .isInstanceOf(ChartGenerationException.class)
                .hasMessageContaining("crds/quotas.openspheron.org-v1.yml")
                .hasMessageContaining("shipped by no chart")
                .hasMessageContaining("ChartSource");
    }

    @Test
    void aCrdTwoChartsClaimIsRefused() throws IOException {
        copyRepositoryManifests();
        ChartSource matchmaker = ChartSource.MATCHMAKER;
        ChartSource greedy = new ChartSource(matchmaker.name(), matchmaker.appDirectory(), matchmaker.namespace(),
                matchmaker.description(), List.of("matchingpolicies.openspheron.org", "spheronleases.openspheron.org"),
                matchmaker.places(), matchmaker.notes());
        assertThatThrownBy(() -> new ChartGenerator(root, VERSION)
                .writeAll(List.of(ChartSource.PROVIDER_OPERATOR, greedy), root.resolve("charts")))
                .isInstanceOf(ChartGenerationException.class)
                .hasMessageContaining("spheronleases.openspheron.org")
                .hasMessageContaining("spheron-provider-operator")
                .hasMessageContaining("spheron-matchmaker");
    }

    @Test
    void aCrdAChartNamesButCrdsNoLongerDefinesIsRefused() throws IOException {
        copyRepositoryManifests();
        Files.delete(root.resolve("crds/gpudeployments.openspheron.org-v1.yml"));
        assertThatThrownBy(() -> new ChartGenerator(root, VERSION).writeAll(root.resolve("charts")))
                .isInstanceOf(ChartGenerationException.class)
                .hasMessageContaining("spheron-provider-operator")
                .hasMessageContaining("gpudeployments.openspheron.org");
    }

    @Test
    void anImageThatIsNotThisReleaseIsRefused() throws IOException {
        copyRepositoryManifests();
        Path deployment = root.resolve("k8s/matchmaker/40-deployment.yaml");
        Files.writeString(deployment, Files.readString(deployment).replace(":" + VERSION, ":0.0.1"));
        assertThatThrownBy(() -> new ChartGenerator(root, VERSION).writeAll(root.resolve("charts")))
                .isInstanceOf(ChartGenerationException.class)
                .hasMessageContaining("k8s/matchmaker/40-deployment.yaml:")
                .hasMessageContaining("0.0.1");
    }

    @Test
    void templateActionsInAManifestAreRefusedRatherThanRunByHelm() throws IOException {
        copyRepositoryManifests();
        Path service = root.resolve("k8s/matchmaker/50-service.yaml");
        Files.writeString(service, Files.readString(service) + "# see {{ the docs }}\n");
        assertThatThrownBy(() -> new ChartGenerator(root, VERSION).writeAll(root.resolve("charts")))
                .isInstanceOf(ChartGenerationException.class)
                .hasMessageContaining("k8s/matchmaker/50-service.yaml:");
    }

    @Test
    void valuesKeepTheManifestsTypes() throws IOException {
        copyRepositoryManifests();
        new ChartGenerator(root, VERSION).writeAll(root.resolve("charts"));
        String values = Files.readString(root.resolve("charts/spheron-provider-operator/values.yaml"));
        // "1" CPU and "2.50" stay strings (a number would lose the zero, and a ConfigMap takes only strings).
        assertThat(values).contains("    cpu: \"1\"\n", "  SPHERON_PRICING_GPU_H100: \"2.50\"\n", "namespace:\n  create: false\n",
                "  repository: \"openspheron/provider-operator\"\n  tag: \"\"\n");
    }

    private static String crd(String plural, String kind) {
        return """
                apiVersion: "apiextensions.k8s.io/v1"
                kind: "CustomResourceDefinition"
                metadata:
                  name: "%s.openspheron.org"
                spec:
                  group: "openspheron.org"
                  names:
                    kind: "%s"
                    plural: "%s"
                  scope: "Namespaced"
                  versions:
                  - name: "v1alpha1"
                    served: true
                    storage: true
                    schema:
                      openAPIV3Schema:
                        type: "object"
                """.formatted(plural, kind, plural);
    }
}
