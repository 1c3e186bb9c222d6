package org.openspheron.operator.deployment;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/**
 * A leased IP address of the deployment: the manifest's {@code ip} endpoint and the address from the provider's pool
 * that the operator gave it ({@link LeasedIpAllocator}). Ports name the endpoint ({@link ExposedPort#getIpEndpoint()}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LeasedIp {
    @Required
    @Pattern("^[a-z]+[-_0-9a-z]+$")
    @JsonPropertyDescription("The manifest's endpoint name.")
    private String name;

    @JsonPropertyDescription("The address, from the provider's spheron.operator.ip-pool: given by the operator when absent.")
    private String address;

    public LeasedIp() {
    }

    public LeasedIp(String name, String address) {
        this.name = name;
        this.address = address;
    }

    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getAddress() { return address; }
    public void setAddress(String address) { this.address = address; }
}
