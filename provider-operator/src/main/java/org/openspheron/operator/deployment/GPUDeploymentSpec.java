package org.openspheron.operator.deployment;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** The services of one deployment. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GPUDeploymentSpec {
    @Min(0)
    @JsonPropertyDescription("The on-chain lease this workload belongs to; absent for a deployment applied by hand.")
    private Long leaseId;

    @Required
    @Size(min = 1)
    @JsonPropertyDescription("The services to run, each a Deployment (or a StatefulSet when it has persistent storage).")
    private List<WorkloadService> services = new ArrayList<>();

    @JsonPropertyDescription("Leased IP addresses (the manifest's ip endpoints), each shared by the services whose ports"
            + " name it.")
    private List<LeasedIp> ipEndpoints;

    public List<LeasedIp> getIpEndpoints() { return ipEndpoints; }
    public void setIpEndpoints(List<LeasedIp> ipEndpoints) { this.ipEndpoints = ipEndpoints; }
    public Long getLeaseId() { return leaseId; }
    public void setLeaseId(Long leaseId) { this.leaseId = leaseId; }
    public List<WorkloadService> getServices() { return services; }
    public void setServices(List<WorkloadService> services) { this.services = services; }
}
