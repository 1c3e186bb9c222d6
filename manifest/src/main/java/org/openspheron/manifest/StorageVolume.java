package org.openspheron.manifest;

/**
 * A volume of a compute profile. An unnamed volume is called {@code default}.
 *
 * @param storageClass Akash's class ({@code beta1..3}, {@code ram} for shared memory), or null
 * @param attributesGiven whether the volume was written with {@code attributes}: Akash then records
 *     {@code persistent} even when false, and orders the volumes of a resource by it (see {@link DeploymentGroups})
 */
public record StorageVolume(String name, long sizeBytes, boolean persistent, String storageClass, boolean attributesGiven) {

    /** A volume whose attributes were written exactly when it has any. */
    public StorageVolume(String name, long sizeBytes, boolean persistent, String storageClass) {
        this(name, sizeBytes, persistent, storageClass, persistent || storageClass != null);
    }

    /** {@code class: ram}: backed by memory, the way {@code /dev/shm} is given to a container. */
    public boolean isRam() {
        return "ram".equals(storageClass);
    }
}
