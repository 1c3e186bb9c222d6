package org.openspheron.chain;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A GPU model as an order's {@code gpuModel} names it and as a provider's node is identified: the base model
 * ({@code A100}), its memory in whole GB, and its interface (SXM or PCIe). Zero memory and a null interface mean
 * "any" in a requirement and "unknown" in an identity. One grammar for both sides, so a tenant, the bid engine, the
 * gateway and the matchmaker read {@code A100-80GB} alike; a pure function of the text.
 *
 * <p>Reading a name: upper-case, split on {@code -}, {@code _} and spaces, drop the vendor and family words
 * ({@code NVIDIA}, {@code TESLA}, {@code GEFORCE}, {@code QUADRO}). The first remaining word is the base model;
 * {@code RTX} joins the number after it ({@code RTX-4090} → {@code RTX4090}, {@code RTX-6000-Ada-Generation} →
 * {@code RTX6000ADA}), except before an A-series number ({@code RTX-A6000} → {@code A6000}). Of the words after
 * it, {@code 80GB} (or {@code 80G}, {@code 80GI}) is the memory, {@code SXM}/{@code SXM4}/{@code SXM5} and
 * {@code PCIE} the interface; {@code NVL} cards are PCIe; an {@code H100} named {@code HBM3} without {@code PCIe} is
 * the SXM5 part ({@code NVIDIA-H100-80GB-HBM3} is how GPU feature discovery names it). Other words (form factors,
 * {@code HBM3}, {@code MIG} profiles) do not change the identity.
 * <pre>
 *   NVIDIA-A100-SXM4-80GB   A100-80GB-SXM     NVIDIA-H100-80GB-HBM3   H100-80GB-SXM
 *   NVIDIA-A100-PCIE-40GB   A100-40GB-PCIE    NVIDIA-H100-PCIe        H100-PCIE
 *   a100-80gb               A100-80GB         h100 sxm                H100-SXM
 *   NVIDIA-GeForce-RTX-4090 RTX4090           NVIDIA-RTX-A6000        A6000
 * </pre>
 *
 * @param base the base model, upper-case; empty for a blank name
 * @param memoryGb GPU memory in GB; 0 for any (a requirement) or unknown (an identity)
 * @param iface the interface; null for any or unknown
 */
public record GpuModel(String base, int memoryGb, Interface iface) {
    /** How the GPU attaches to its board. */
    public enum Interface { SXM, PCIE }

    private static final Set<String> NOISE = Set.of("NVIDIA", "TESLA", "GEFORCE", "QUADRO");
    private static final Pattern MEMORY = Pattern.compile("(\\d{1,4})(?:GB|G|GI|GIB)");
    private static final GpuModel NONE = new GpuModel("", 0, null);

    public GpuModel {
        base = base == null ? "" : base;
        if (memoryGb < 0) {
            throw new IllegalArgumentException("GPU memory cannot be negative: " + memoryGb);
        }
    }

    /** The model a name denotes; the empty model for null or blank text. Never throws. */
    public static GpuModel parse(String name) {
        if (name == null || name.isBlank()) {
            return NONE;
        }
        List<String> words = new ArrayList<>();
        for (String word : name.trim().toUpperCase(Locale.ROOT).split("[-_\\s]+")) {
            if (!word.isEmpty() && !NOISE.contains(word)) {
                words.add(word);
            }
        }
        if (words.isEmpty()) {
            return NONE;
        }
        int rest = 1;
        String base = words.get(0);
        if (base.equals("RTX") && words.size() > 1) {
            String number = words.get(1);
            boolean ada = words.size() > 2 && words.get(2).equals("ADA");
            base = number.startsWith("A") ? number : "RTX" + number + (ada ? "ADA" : "");
            rest = ada ? 3 : 2;
        }
        int memory = 0;
        Interface iface = null;
        boolean hbm3 = false;
        for (String word : words.subList(Math.min(rest, words.size()), words.size())) {
            Matcher m = MEMORY.matcher(word);
            if (memory == 0 && m.matches()) {
                memory = Integer.parseInt(m.group(1));
            } else if (word.startsWith("SXM")) {
                iface = Interface.SXM;
            } else if (word.equals("PCIE") || word.equals("NVL")) {
                iface = Interface.PCIE;
            } else if (word.equals("HBM3")) {
                hbm3 = true;
            }
        }
        if (iface == null && hbm3 && base.equals("H100")) {
            iface = Interface.SXM;
        }
        return new GpuModel(base, memory, iface);
    }

    /** The base model of a name: {@code NVIDIA-A100-SXM4-80GB} → {@code A100}; empty for null or blank. */
    public static String baseOf(String name) {
        return parse(name).base();
    }

    public boolean isEmpty() {
        return base.isEmpty();
    }

    /**
     * Whether a GPU of this identity serves {@code required}: the same base model, at least its memory (within 10%:
     * an 80 GB part reports 79.6 GiB, a 48 GB L40S 45 GiB), and its interface. A bigger or more specific GPU serves
     * a less specific requirement; an identity whose memory or interface is unknown serves no requirement that
     * names one. An empty requirement is served by nothing.
     */
    public boolean satisfies(GpuModel required) {
        if (required.isEmpty() || !base.equals(required.base)) {
            return false;
        }
        if (required.memoryGb > 0 && memoryGb * 10L < required.memoryGb * 9L) {
            return false;
        }
        return required.iface == null || required.iface == iface;
    }

    /**
     * Whether every GPU that serves this requirement also serves {@code other}: {@code A100-80GB} implies
     * {@code A100} and {@code A100-40GB}, not {@code A100-SXM}. No allowance: both are names, not measurements.
     */
    public boolean implies(GpuModel other) {
        return !other.isEmpty() && base.equals(other.base) && memoryGb >= other.memoryGb
                && (other.iface == null || other.iface == iface);
    }

    /** The canonical name: {@code A100}, {@code A100-80GB}, {@code H100-80GB-SXM}, {@code H100-PCIE}; empty when empty. */
    public String name() {
        StringBuilder s = new StringBuilder(base);
        if (!base.isEmpty() && memoryGb > 0) {
            s.append('-').append(memoryGb).append("GB");
        }
        if (!base.isEmpty() && iface != null) {
            s.append('-').append(iface.name());
        }
        return s.toString();
    }

    @Override
    public String toString() {
        return name();
    }
}
