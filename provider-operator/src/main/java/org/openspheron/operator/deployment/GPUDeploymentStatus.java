package org.openspheron.operator.deployment;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import org.openspheron.operator.crd.Condition;

/** What the operator observed of the workload: only from real objects, never from what it hoped. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GPUDeploymentStatus {
    /** Pending: objects created, pods not ready; Running: every service ready; Failed: a pod cannot start. */
    public enum Phase { Pending, Running, Degraded, Failed }

    private Phase phase;
    private Long observedGeneration;
    private int replicas;
    private int readyReplicas;
    private int gpus;
    private String gpuModel;
    private String url;
    private String lastError;
    private List<ServiceStatus> services = new ArrayList<>();
    private List<PortMapping> forwardedPorts = new ArrayList<>();
    private List<Condition> conditions = new ArrayList<>();

    public Phase getPhase() { return phase; }
    public void setPhase(Phase phase) { this.phase = phase; }
    public Long getObservedGeneration() { return observedGeneration; }
    public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
    public int getReplicas() { return replicas; }
    public void setReplicas(int replicas) { this.replicas = replicas; }
    public int getReadyReplicas() { return readyReplicas; }
    public void setReadyReplicas(int readyReplicas) { this.readyReplicas = readyReplicas; }
    public int getGpus() { return gpus; }
    public void setGpus(int gpus) { this.gpus = gpus; }
    public String getGpuModel() { return gpuModel; }
    public void setGpuModel(String gpuModel) { this.gpuModel = gpuModel; }
    public String getUrl() { return url; }
    public void setUrl(String url) { this.url = url; }
    public String getLastError() { return lastError; }
    public void setLastError(String lastError) { this.lastError = lastError; }
    public List<ServiceStatus> getServices() { return services; }
    public void setServices(List<ServiceStatus> services) { this.services = services; }
    public List<PortMapping> getForwardedPorts() { return forwardedPorts; }
    public void setForwardedPorts(List<PortMapping> forwardedPorts) { this.forwardedPorts = forwardedPorts; }
    public List<Condition> getConditions() { return conditions; }
    public void setConditions(List<Condition> conditions) { this.conditions = conditions; }

    /** One service's readiness and where it is reached. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ServiceStatus {
        private String name;
        private int replicas;
        private int readyReplicas;
        private List<String> uris = new ArrayList<>();
        private String reason;
        private List<String> gpuProducts;
        private Long placementGeneration;

        public String getName() { return name; }
        public void setName(String name) { this.name = name; }
        public int getReplicas() { return replicas; }
        public void setReplicas(int replicas) { this.replicas = replicas; }
        public int getReadyReplicas() { return readyReplicas; }
        public void setReadyReplicas(int readyReplicas) { this.readyReplicas = readyReplicas; }
        public List<String> getUris() { return uris; }
        public void setUris(List<String> uris) { this.uris = uris; }
        public String getReason() { return reason; }
        public void setReason(String reason) { this.reason = reason; }
        /** The nvidia.com/gpu.product values the service's pod template is pinned to (see GpuPlacement; shown here, not read back). */
        public List<String> getGpuProducts() { return gpuProducts; }
        public void setGpuProducts(List<String> gpuProducts) { this.gpuProducts = gpuProducts; }
        /** The spec generation {@link #getGpuProducts()} was chosen for. */
        public Long getPlacementGeneration() { return placementGeneration; }
        public void setPlacementGeneration(Long placementGeneration) { this.placementGeneration = placementGeneration; }
    }

    /** A service port and the external host:port that reaches it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class PortMapping {
        private String service;
        private int port;
        private String host;
        private int externalPort;
        private String protocol;

        public PortMapping() {
        }

        public PortMapping(String service, int port, String host, int externalPort, String protocol) {
            this.service = service;
            this.port = port;
            this.host = host;
            this.externalPort = externalPort;
            this.protocol = protocol;
        }

        public String getService() { return service; }
        public void setService(String service) { this.service = service; }
        public int getPort() { return port; }
        public void setPort(int port) { this.port = port; }
        public String getHost() { return host; }
        public void setHost(String host) { this.host = host; }
        public int getExternalPort() { return externalPort; }
        public void setExternalPort(int externalPort) { this.externalPort = externalPort; }
        public String getProtocol() { return protocol; }
        public void setProtocol(String protocol) { this.protocol = protocol; }
    }
}
