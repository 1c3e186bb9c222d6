package org.openspheron.operator.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openspheron.operator.gateway.TeeRuntimes;

/**
 * Providers configure the operator through the environment (k8s/provider-operator/30-config.yaml), where the map
 * keys of storage classes and TEE types are written in upper case with underscores. What the mapping makes of them
 * is what the bid engine and the gateway then use.
 */
class OperatorConfigEnvTest {
    /** A map keyed by a dashed type could not be: SmallRye drops SPHERON_..._TEE_RUNTIME_CLASSES_SEV_SNP_GPU. */
    @Test
    void storageClassesAndTeeRuntimeClassesComeFromTheEnvironment() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(Map.of(
                        "SPHERON_OPERATOR_STORAGE_CLASSES_BETA3", "fast-nvme",
                        "SPHERON_OPERATOR_TEE_RUNTIME_CLASSES", "sev-snp-gpu=kata-qemu-nvidia-gpu-snp, tdx=kata-qemu-tdx"),
                        300))
                .withMapping(OperatorConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withValidateUnknown(false)
                .build();
        OperatorConfig operator = config.getConfigMapping(OperatorConfig.class);

        assertThat(operator.storageClasses()).containsEntry("beta3", "fast-nvme");
        assertThat(TeeRuntimes.parse(operator.teeRuntimeClasses().orElseThrow()).byType()).isEqualTo(Map.of(
                "sev-snp-gpu", "kata-qemu-nvidia-gpu-snp", "tdx", "kata-qemu-tdx"));
    }
}
