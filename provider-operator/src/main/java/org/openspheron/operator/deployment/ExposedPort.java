package org.openspheron.operator.deployment;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** A container port and how it is reached. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ExposedPort {
    public enum Protocol { TCP, UDP }

    @Required
    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("The port the container listens on.")
    private int port;

    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("The service port (the manifest's 'as'); the container port when absent.")
    private Integer as;

    @JsonPropertyDescription("TCP or UDP.")
    private Protocol protocol = Protocol.TCP;

    @JsonPropertyDescription("Reachable from outside the cluster (a NodePort or LoadBalancer, or the Ingress when it has hosts);"
            + " otherwise only within the lease.")
    private boolean global = true;

    @JsonPropertyDescription("HTTP hostnames the tenant asked for (the manifest's 'accept'): a global TCP port with hosts is"
            + " reached through an Ingress with one rule per host, and gets no node port.")
    private java.util.List<String> hosts;

    @JsonPropertyDescription("The leased IP endpoint (spec.ipEndpoints) the port is published on, at its 'as' port; such a"
            + " port gets no node port.")
    private String ipEndpoint;

    public int getPort() { return port; }
    public void setPort(int port) { this.port = port; }
    public Integer getAs() { return as; }
    public void setAs(Integer as) { this.as = as; }
    public Protocol getProtocol() { return protocol; }
    public void setProtocol(Protocol protocol) { this.protocol = protocol; }
    public boolean isGlobal() { return global; }
    public void setGlobal(boolean global) { this.global = global; }
    public java.util.List<String> getHosts() { return hosts; }
    public void setHosts(java.util.List<String> hosts) { this.hosts = hosts; }
    public String getIpEndpoint() { return ipEndpoint; }
    public void setIpEndpoint(String ipEndpoint) { this.ipEndpoint = ipEndpoint; }
}
