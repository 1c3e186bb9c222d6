package org.openspheron.operator.gateway;

import java.util.Map;
import java.util.TreeMap;
import org.openspheron.manifest.TeeParams;

/**
 * The RuntimeClass that runs each confidential-computing type a manifest may ask for ({@code params.tee.type}), as
 * the provider configured them ({@code spheron.operator.tee-runtime-classes.<type>=<RuntimeClass>}, e.g.
 * {@code sev-snp=kata-qemu-snp}, {@code tdx-gpu=kata-qemu-nvidia-gpu-tdx}, the Kata Containers runtimes Akash maps
 * them to; from the environment {@code SPHERON_OPERATOR_TEE_RUNTIME_CLASSES=sev-snp=kata-qemu-snp,tdx=kata-qemu-tdx}).
 * The RuntimeClass's own {@code scheduling} puts the pods on the nodes that have it. A manifest asking
 * for a type the provider does not run is refused at the gateway; the bid engine does not bid on such orders.
 */
public record TeeRuntimes(Map<String, String> byType) {
    public static final TeeRuntimes NONE = new TeeRuntimes(Map.of());

    /**
     * From {@code TYPE=RuntimeClass} entries ({@code spheron.operator.tee-runtime-classes}).
     *
     * @throws IllegalArgumentException for an entry that is not TYPE=RuntimeClass, an unknown type or a type twice
     */
    public static TeeRuntimes parse(java.util.List<String> entries) {
        Map<String, String> byType = new java.util.LinkedHashMap<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new IllegalArgumentException("spheron.operator.tee-runtime-classes: \"" + entry
                        + "\" is not TYPE=RuntimeClass (e.g. sev-snp=kata-qemu-snp)");
            }
            String type = entry.substring(0, eq).trim();
            if (byType.put(type, entry.substring(eq + 1).trim()) != null) {
                throw new IllegalArgumentException("spheron.operator.tee-runtime-classes: " + type + " is given twice");
            }
        }
        return new TeeRuntimes(byType);
    }

    public TeeRuntimes {
        // From the environment the key arrives as SEV_SNP_GPU (sev_snp_gpu, or sev.snp.gpu): all name sev-snp-gpu.
        Map<String, String> normalised = new java.util.HashMap<>();
        byType.forEach((type, runtimeClass) -> normalised.put(type.trim().toLowerCase(java.util.Locale.ROOT)
                .replace('_', '-').replace('.', '-'), runtimeClass));
        byType = Map.copyOf(normalised);
        byType.forEach((type, runtimeClass) -> {
            if (!TeeParams.TYPES.contains(type)) {
                throw new IllegalArgumentException("spheron.operator.tee-runtime-classes." + type + ": no TEE type "
                        + type + " (" + String.join(", ", TeeParams.TYPES) + ")");
            }
            if (runtimeClass.isBlank()) {
                throw new IllegalArgumentException("spheron.operator.tee-runtime-classes." + type + " is empty: name the "
                        + "RuntimeClass that runs " + type + " pods");
            }
        });
    }

    /**
     * The RuntimeClass of a service asking for {@code tee} (null: none asked, none given).
     *
     * @param field the manifest field of the TEE type, for the refusal
     * @throws GatewayError when this provider does not run that type
     */
    String of(TeeParams tee, String field) {
        if (tee == null) {
            return null;
        }
        String runtimeClass = byType.get(tee.type());
        if (runtimeClass == null) {
            throw GatewayError.invalidManifest("this provider runs no " + tee.type() + " confidential computing ("
                    + (byType.isEmpty() ? "it offers none" : "it offers " + String.join(", ", new TreeMap<>(byType).keySet()))
                    + ")", field);
        }
        return runtimeClass;
    }
}
