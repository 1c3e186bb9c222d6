package org.openspheron.operator.lease;

/**
 * The Pod Security Standard a lease namespace enforces. {@code restricted} requires {@code runAsNonRoot}, which
 * many GPU images (CUDA bases, vLLM, PyTorch) do not satisfy, so the default enforces {@code baseline} (no
 * privileged pods, host namespaces, host paths or added capabilities) while the operator's own pod spec meets
 * everything else of {@code restricted}. Choosing {@code restricted} also makes the operator set
 * {@code runAsNonRoot: true}, so only images with a non-root user start.
 */
public enum PodSecurityLevel {
    baseline, restricted;

    public String label() {
        return name();
    }
}
