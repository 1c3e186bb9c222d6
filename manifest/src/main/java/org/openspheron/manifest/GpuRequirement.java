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
