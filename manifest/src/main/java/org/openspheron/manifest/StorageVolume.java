package org.openspheron.manifest;

/**
 * A volume of a compute profile. An unnamed volume is called {@code default}.
 *
 * @param storageClass Akash's class ({@code beta1..3}, {@code ram} for shared memory), or null
 */
public record StorageVolume(String name, long sizeBytes, boolean persistent, String storageClass) {

    /** {@code class: ram}: backed by memory, the way {@code /dev/shm} is given to a container. */
    public boolean isRam() {
        return "ram".equals(storageClass);
    }
}
