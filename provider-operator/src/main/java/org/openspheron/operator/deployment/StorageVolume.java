package org.openspheron.operator.deployment;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import org.openspheron.manifest.ManifestLimits;

/** A persistent volume of a service. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StorageVolume {
    @Required
    @Pattern(ManifestLimits.VOLUME_NAME_PATTERN)
    @JsonPropertyDescription("Volume name (a DNS label): the claim template's and the mount's.")
    private String name;

    @Required
    @Min(1)
    @JsonPropertyDescription("Size in MiB.")
    private long sizeMb;

    @Required
    @JsonPropertyDescription("Where it is mounted in the container.")
    private String mountPath;

    @JsonPropertyDescription("StorageClass; the cluster default when absent.")
    private String storageClass;

    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public long getSizeMb() { return sizeMb; }
    public void setSizeMb(long sizeMb) { this.sizeMb = sizeMb; }
    public String getMountPath() { return mountPath; }
    public void setMountPath(String mountPath) { this.mountPath = mountPath; }
    public String getStorageClass() { return storageClass; }
    public void setStorageClass(String storageClass) { this.storageClass = storageClass; }
}
