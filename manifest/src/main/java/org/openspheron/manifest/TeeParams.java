package org.openspheron.manifest;

import java.util.List;

/**
 * A service's confidential computing request, Akash SDL 2.1's {@code params.tee}: the trusted execution environment
 * its containers run in, each type one Kata Containers runtime on the provider ({@code sev-snp} and {@code tdx}
 * CPU-only, {@code sev-snp-gpu} and {@code tdx-gpu} with the GPU in confidential-computing mode).
 *
 * @param type one of {@link #TYPES}
 * @param attestation whether the tenant asks for remote attestation (Akash's default: true)
 */
public record TeeParams(String type, boolean attestation) {
    public static final List<String> TYPES = List.of("sev-snp", "sev-snp-gpu", "tdx", "tdx-gpu");

    /** Whether the type puts a GPU in confidential-computing mode, so the service must have GPUs. */
    public boolean needsGpu() {
        return type.endsWith("-gpu");
    }
}
