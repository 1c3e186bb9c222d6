package org.openspheron.matchmaker.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The MatchingPolicy CRD operators apply ({@code crds/} at the repository root) is the one the build generates from
 * the Java types, and it carries the validation and columns operators rely on.
 */
class CrdFilesTest {
    private static final String FILE = "matchingpolicies.openspheron.org-v1.yml";
    private static final Path CHECKED_IN = Path.of("..", "crds", FILE);
    private static final Path GENERATED = Path.of("target", "crds", FILE);

    @Test
    void checkedInCrdIsTheGeneratedOne() throws IOException {
        assertThat(GENERATED).as("run the build's generate phase (mvn process-classes)").exists();
        assertThat(CHECKED_IN).as("crds/%s is missing", FILE).exists();
        assertThat(Files.readString(CHECKED_IN))
                .as("crds/%s differs from the YAML generated from the Java types; refresh it with: "
                        + "mvn -pl matchmaker -am process-classes && cp matchmaker/target/crds/*.yml crds/", FILE)
                .isEqualTo(Files.readString(GENERATED));
    }

    @Test
    void matchingPolicyIsNamespacedWithNonNegativeWeightsAndReadyColumns() throws IOException {
        CustomResourceDefinition crd;
        try (InputStream in = Files.newInputStream(CHECKED_IN)) {
            crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
        }
        assertThat(crd.getMetadata().getName()).isEqualTo("matchingpolicies.openspheron.org");
        assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
        assertThat(crd.getSpec().getNames().getKind()).isEqualTo("MatchingPolicy");
        assertThat(crd.getSpec().getNames().getShortNames()).contains("mpol");
        CustomResourceDefinitionVersion version = crd.getSpec().getVersions().get(0);
        assertThat(version.getName()).isEqualTo("v1alpha1");
        assertThat(version.getSubresources().getStatus()).isNotNull();
        JSONSchemaProps spec = version.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
        assertThat(spec.getRequired()).isNullOrEmpty();
        JSONSchemaProps weights = spec.getProperties().get("weights");
        assertThat(weights.getProperties()).containsOnlyKeys("placement", "price", "uptime", "reputation",
                "availability", "slashes");
        assertThat(weights.getProperties().values()).allSatisfy(w -> {
            assertThat(w.getType()).isEqualTo("number");
            assertThat(w.getMinimum()).isEqualTo(0.0);
        });
        assertThat(spec.getProperties().get("drawSize").getMinimum()).isEqualTo(1.0);
        assertThat(spec.getProperties().get("drawMargin").getMinimum()).isEqualTo(0.0);
        assertThat(spec.getProperties().get("slashHalfLifeBlocks").getMinimum()).isEqualTo(1.0);
        assertThat(spec.getProperties().get("requireAvailableGpus").getType()).isEqualTo("boolean");
        JSONSchemaProps status = version.getSchema().getOpenAPIV3Schema().getProperties().get("status");
        assertThat(status.getProperties()).containsKeys("observedGeneration", "conditions", "fingerprint",
                "effectivePolicy");
        assertThat(version.getAdditionalPrinterColumns()).extracting(CustomResourceColumnDefinition::getName)
                .containsExactlyInAnyOrder("Ready", "Reason", "Fingerprint", "Age");
        assertThat(version.getAdditionalPrinterColumns()).filteredOn(c -> c.getName().equals("Ready"))
                .extracting(CustomResourceColumnDefinition::getJsonPath)
                .containsExactly(".status.conditions[?(@.type==\"Ready\")].status");
    }
}
