package org.openspheron.operator.deployment;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import org.openspheron.manifest.ManifestLimits;

/**
 * A memory-backed volume of a service (Akash's {@code class: ram}): a tmpfs, typically at {@code /dev/shm}, which
 * PyTorch's DataLoader workers and NCCL fill far beyond the container runtime's 64 MiB default. It becomes an
 * {@code emptyDir} with medium Memory and its size as the limit; what is written there is charged to the
 * container's memory, so its size is added to the container's memory request and limit.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RamVolume {
    @Required
    @Pattern(ManifestLimits.VOLUME_NAME_PATTERN)
    @JsonPropertyDescription("Volume name (a DNS label), unique among the service's volumes.")
    private String name;

    @Required
    @Min(1)
    @JsonPropertyDescription("Size in MiB: the emptyDir's sizeLimit, added to the container's memory request and limit.")
    private long sizeMb;

    @Required
    @JsonPropertyDescription("Where it is mounted in the container, e.g. /dev/shm.")
    private String mountPath;

    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public long getSizeMb() { return sizeMb; }
    public void setSizeMb(long sizeMb) { this.sizeMb = sizeMb; }
    public String getMountPath() { return mountPath; }
    public void setMountPath(String mountPath) { this.mountPath = mountPath; }
}
