package org.openspheron.chain;

/** GPUs of one model that a provider advertises: how many it has, and how many are free for new leases. */
public record GpuOffer(String model, int total, int available) {
    public GpuOffer {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("GPU model is empty");
        }
        if (total < 0 || available < 0 || available > total) {
            throw new IllegalArgumentException("GPU counts for " + model + " are inconsistent: " + available + " of " + total);
        }
    }
}
