package org.openspheron.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.manifest.ManifestParserTest.refused;

import org.junit.jupiter.api.Test;

/**
 * Issue 15, TEE: Akash SDL 2.1's {@code params.tee} ({@code {type, attestation}}, the types and rules of Akash's
 * parser, chain-sdk {@code go/sdl/tee.go}) was refused as an unknown field. It is read into the model, with the
 * checks Akash makes, so the order can carry it and only a provider running that TEE bids.
 */
class TeeParamsTest {
    /** Two services of one placement, {@code gpu} with an H100; TEE_A and TEE_B are their params. */
    private static final String TWO = """
            version: "2.1"
            services:
              gpu:
                image: vllm/vllm-openai:v0.6
                expose: [{port: 8000, to: [{global: true}]}]
                params:
                  TEE_A
              cpu:
                image: nginx:1.27
                expose: [{port: 80, to: [{global: true}]}]
                params:
                  TEE_B
            profiles:
              compute:
                gpu:
                  resources:
                    cpu: {units: 4}
                    memory: {size: 16Gi}
                    storage: [{size: 10Gi}]
                    gpu: {units: 1, attributes: {vendor: {nvidia: [{model: h100}]}}}
                cpu:
                  resources:
                    cpu: {units: 1}
                    memory: {size: 1Gi}
                    storage: [{size: 1Gi}]
              placement:
                dc:
                  pricing:
                    gpu: {denom: uact, amount: 100}
                    cpu: {denom: uact, amount: 10}
            deployment:
              gpu: {dc: {profile: gpu, count: 1}}
              cpu: {dc: {profile: cpu, count: 1}}
            """;

    private static String with(String a, String b) {
        return TWO.replace("TEE_A", a).replace("TEE_B", b);
    }

    @Test
    void aTeeTypeIsReadWithAttestationOnUnlessTurnedOff() {
        Manifest off = ManifestParser.parse(with("tee: {type: sev-snp-gpu, attestation: false}", "storage: {}"));
        Manifest on = ManifestParser.parse(with("tee: {type: tdx-gpu}", "storage: {}"));

        assertThat(off.service("gpu").tee()).isEqualTo(new TeeParams("sev-snp-gpu", false));
        assertThat(on.service("gpu").tee()).isEqualTo(new TeeParams("tdx-gpu", true));
        assertThat(on.service("cpu").tee()).as("a service without params.tee").isNull();
        assertThat(on.teeTypes()).containsExactly("tdx-gpu");
    }

    @Test
    void twoServicesOfOnePlacementMayShareTheType() {
        Manifest m = ManifestParser.parse(with("tee: {type: tdx}", "tee: {type: tdx}"));

        assertThat(m.teeTypes()).containsExactly("tdx");
    }

    @Test
    void anUnknownTypeOrAMissingOneIsRefusedNamingTheTypes() {
        refused(with("tee: {type: sgx}", "storage: {}"), "services.gpu.params.tee.type",
                "\"sgx\" is not a TEE type (sev-snp, sev-snp-gpu, tdx, tdx-gpu)");
        refused(with("tee: {attestation: true}", "storage: {}"), "services.gpu.params.tee.type",
                "missing (one of sev-snp, sev-snp-gpu, tdx, tdx-gpu)");
    }

    /** The older draft syntax ({@code tee: cpu-gpu}) that some published SDLs carry gets the form to write instead. */
    @Test
    void theScalarDraftSyntaxIsRefusedWithTheMappingToWrite() {
        refused(with("tee: cpu-gpu", "storage: {}"), "services.gpu.params.tee",
                "write tee: {type: TYPE}, TYPE one of sev-snp, sev-snp-gpu, tdx, tdx-gpu");
    }

    @Test
    void aGpuTeeTypeNeedsGpus() {
        refused(with("storage: {}", "tee: {type: tdx-gpu}"), "services.cpu.params.tee.type",
                "tdx-gpu puts a GPU in confidential-computing mode, and compute profile cpu has no GPU");
    }

    @Test
    void theServicesOfOnePlacementUseOneTeeType() {
        refused(with("tee: {type: sev-snp-gpu}", "tee: {type: tdx}"), "services.cpu.params.tee.type",
                "tdx conflicts with sev-snp-gpu of service gpu in placement dc (the services of one placement use one"
                        + " TEE type)");
    }

    @Test
    void teeNeedsSdl21() {
        refused(with("tee: {type: tdx-gpu}", "storage: {}").replace("version: \"2.1\"", "version: \"2.0\""),
                "services.gpu.params.tee", "confidential computing needs an SDL of version \"2.1\" (this file is \"2.0\")");
    }
}
