package org.openspheron.manifest;

/**
 * One acceptable GPU ({@code gpu.attributes.vendor.<vendor>[i]}).
 *
 * @param vendor {@code nvidia}, the only vendor accepted
 * @param model the model as written (e.g. {@code h100}, {@code rtx4090}), or null for any model of the vendor
 * @param ram the GPU memory asked for as written (e.g. {@code 80Gi}), or null for any
 * @param interfaceType {@code pcie} or {@code sxm}, or null for any
 */
public record GpuRequirement(String vendor, String model, String ram, String interfaceType) {

    public boolean anyModel() {
        return model == null;
    }

    /**
     * The model as an order's {@code gpuModel} names it, with the memory (whole GB) and interface asked for:
     * {@code h100}, {@code a100-80GB}, {@code h100-80GB-sxm}; empty for any model. Providers read it as a minimum:
     * a GPU with that model and at least that memory and interface serves it.
     */
    public String orderModel() {
        if (model == null) {
            return "";
        }
        StringBuilder s = new StringBuilder(model);
        if (ram != null) {
            // 80Gi and 80G both mean the 80 GB part: divide by the unit the text was written in
            String unit = ram.trim().toLowerCase(java.util.Locale.ROOT);
            boolean binary = unit.endsWith("i") || unit.endsWith("ib");
            long gb = Math.round(ManifestQuantities.parseBytes(ram) / (binary ? (double) (1L << 30) : 1e9));
            s.append('-').append(gb).append("GB");
        }
        if (interfaceType != null) {
            s.append('-').append(interfaceType);
        }
        return s.toString();
    }

    /** {@code h100 (nvidia)}, {@code any nvidia}. */
    public String describe() {
        StringBuilder s = new StringBuilder(model == null ? "any " + vendor : model + " (" + vendor + ")");
        if (ram != null) {
            s.append(", ").append(ram);
        }
        if (interfaceType != null) {
            s.append(", ").append(interfaceType);
        }
        return s.toString();
    }
}
