package org.openspheron.operator.deployment;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openspheron.manifest.ManifestLimits;

/** One service of a deployment: a container image, its resources, and the ports it exposes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WorkloadService {
    @Required
    @Pattern(ManifestLimits.SERVICE_NAME_PATTERN)
    @JsonPropertyDescription("Service name: a DNS-1035 label of at most 52 characters, so that the Service, <name>-ext"
            + " Service and StatefulSet revision label made from it stay within Kubernetes' 63.")
    private String name;

    @Required
    @JsonPropertyDescription("Container image.")
    private String image;

    @JsonPropertyDescription("Overrides the image's entrypoint.")
    private List<String> command;

    @JsonPropertyDescription("Arguments to the entrypoint.")
    private List<String> args;

    @JsonPropertyDescription("Plain environment variables. Secret values go in the Secret named by secretRef.")
    private Map<String, String> env = new LinkedHashMap<>();

    @JsonPropertyDescription("A Secret in this namespace whose keys become environment variables.")
    private String secretRef;

    @JsonPropertyDescription("A kubernetes.io/dockerconfigjson Secret in this namespace for a private registry.")
    private String imagePullSecretRef;

    @Min(0)
    @Max(ManifestLimits.MAX_REPLICAS)
    @JsonPropertyDescription("Replicas.")
    private int replicas = 1;

    @Required
    @JsonPropertyDescription("CPU, memory, storage and GPUs of each replica.")
    private ServiceResources resources;

    @JsonPropertyDescription("The RuntimeClass the pods run under: the provider's runtime for the confidential-computing"
            + " type the manifest asks for (params.tee). Unset: the provider's GPU RuntimeClass for GPU pods, else none.")
    private String runtimeClassName;

    @JsonPropertyDescription("Ports to expose.")
    private List<ExposedPort> ports = new ArrayList<>();

    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getImage() { return image; }
    public void setImage(String image) { this.image = image; }
    public List<String> getCommand() { return command; }
    public void setCommand(List<String> command) { this.command = command; }
    public List<String> getArgs() { return args; }
    public void setArgs(List<String> args) { this.args = args; }
    public Map<String, String> getEnv() { return env; }
    public void setEnv(Map<String, String> env) { this.env = env; }
    public String getSecretRef() { return secretRef; }
    public void setSecretRef(String secretRef) { this.secretRef = secretRef; }
    public String getImagePullSecretRef() { return imagePullSecretRef; }
    public void setImagePullSecretRef(String imagePullSecretRef) { this.imagePullSecretRef = imagePullSecretRef; }
    public int getReplicas() { return replicas; }
    public void setReplicas(int replicas) { this.replicas = replicas; }
    public String getRuntimeClassName() { return runtimeClassName; }
    public void setRuntimeClassName(String runtimeClassName) { this.runtimeClassName = runtimeClassName; }
    public ServiceResources getResources() { return resources; }
    public void setResources(ServiceResources resources) { this.resources = resources; }
    public List<ExposedPort> getPorts() { return ports; }
    public void setPorts(List<ExposedPort> ports) { this.ports = ports; }
}
