package org.openspheron.operator.crd;

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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openspheron.manifest.ManifestLimits;
import org.openspheron.operator.OperatorFixture;

/**
 * The CRD YAML providers apply ({@code crds/} at the repository root) is the YAML the build generates from the
 * Java types, and it says what a provider and kubectl rely on: names, scope, validation and printer columns.
 * A pure file test; that a real API server accepts these CRDs, enforces their schemas and prints their columns
 * through {@code kubectl get} is shown by the reconciler tests on a DevCluster ({@code SpheronLeaseReconcilerTest}).
 */
class CrdFilesTest {
    private static final Path CHECKED_IN = Path.of("..", "crds");
    private static final List<String> FILES = List.of("spheronleases.openspheron.org-v1.yml", "gpudeployments.openspheron.org-v1.yml");

    @Test
    void checkedInCrdsAreTheGeneratedOnes() throws IOException {
        for (String file : FILES) {
            Path generated = OperatorFixture.generatedCrds().resolve(file);
            Path checkedIn = CHECKED_IN.resolve(file);
            assertThat(checkedIn).as("crds/%s is missing", file).exists();
            assertThat(Files.readString(checkedIn))
                    .as("crds/%s differs from the YAML generated from the Java types; refresh it with: "
                            + "mvn -pl provider-operator -am process-classes && cp provider-operator/target/crds/*.yml crds/", file)
                    .isEqualTo(Files.readString(generated));
        }
    }

    @Test
    void spheronLeaseIsClusterScopedWithValidationAndLeaseColumns() throws IOException {
        CustomResourceDefinition crd = load("spheronleases.openspheron.org-v1.yml");
        assertThat(crd.getApiVersion()).isEqualTo("apiextensions.k8s.io/v1");
        assertThat(crd.getSpec().getScope()).isEqualTo("Cluster");
        assertThat(crd.getSpec().getNames().getShortNames()).contains("sl");
        CustomResourceDefinitionVersion version = crd.getSpec().getVersions().get(0);
        assertThat(version.getSubresources().getStatus()).isNotNull();
        JSONSchemaProps spec = version.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
        assertThat(spec.getRequired()).contains("leaseId", "orderId", "tenant", "provider", "manifestHash", "resources");
        assertThat(spec.getProperties().get("leaseId").getMinimum()).isEqualTo(1.0);
        assertThat(spec.getProperties().get("tenant").getPattern()).isEqualTo("^0x[0-9a-fA-F]{40}$");
        assertThat(spec.getProperties().get("chainState").getEnum()).extracting(Object::toString)
                .containsExactlyInAnyOrder("\"Active\"", "\"Closed\"", "\"Failed\"");
        JSONSchemaProps status = version.getSchema().getOpenAPIV3Schema().getProperties().get("status");
        assertThat(status.getProperties().get("phase").getEnum()).hasSize(6);
        // sorted by JSON path: the generator's order, and so kubectl's
        assertThat(columns(version)).containsExactly("Age", "Lease", "GPUs", "Model", "Tenant", "Confirmed", "Phase");
    }

    @Test
    void gpuDeploymentIsNamespacedWithValidationAndWorkloadColumns() throws IOException {
        CustomResourceDefinition crd = load("gpudeployments.openspheron.org-v1.yml");
        assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
        assertThat(crd.getSpec().getNames().getShortNames()).contains("gd");
        CustomResourceDefinitionVersion version = crd.getSpec().getVersions().get(0);
        JSONSchemaProps spec = version.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
        assertThat(spec.getRequired()).contains("services");
        assertThat(spec.getProperties().get("services").getMinItems()).isEqualTo(1L);
        JSONSchemaProps service = spec.getProperties().get("services").getItems().getSchema();
        assertThat(service.getRequired()).contains("name", "image", "resources");
        // the parser's limits (DNS-1035, 52 characters, 100 replicas, 16 GPUs): the gateway refuses what this would
        assertThat(service.getProperties().get("name").getPattern()).isEqualTo(ManifestLimits.SERVICE_NAME_PATTERN);
        assertThat(service.getProperties().get("replicas").getMaximum()).isEqualTo((double) ManifestLimits.MAX_REPLICAS);
        JSONSchemaProps resources = service.getProperties().get("resources");
        assertThat(resources.getProperties().get("gpuCount").getMaximum()).isEqualTo((double) ManifestLimits.MAX_GPUS_PER_REPLICA);
        JSONSchemaProps port = service.getProperties().get("ports").getItems().getSchema();
        assertThat(port.getProperties().get("port").getMaximum()).isEqualTo(65535.0);
        assertThat(port.getProperties().get("protocol").getEnum()).hasSize(2);
        assertThat(columns(version)).containsExactly("Age", "Model", "GPUs", "Phase", "Ready", "URL");
    }

    private static List<String> columns(CustomResourceDefinitionVersion version) {
        return version.getAdditionalPrinterColumns().stream().map(CustomResourceColumnDefinition::getName).toList();
    }

    private static CustomResourceDefinition load(String file) throws IOException {
        try (InputStream in = Files.newInputStream(CHECKED_IN.resolve(file))) {
            return Serialization.unmarshal(in, CustomResourceDefinition.class);
        }
    }
}
