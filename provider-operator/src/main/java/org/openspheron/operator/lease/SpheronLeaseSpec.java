package org.openspheron.operator.lease;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** What the chain says about the lease. Written by the lease watcher, never by hand. */
public class SpheronLeaseSpec {
    @Required
    @Min(1)
    @JsonPropertyDescription("The lease id on the DeploymentOrder contract.")
    private long leaseId;

    @Required
    @Min(1)
    @JsonPropertyDescription("The order the lease was matched from.")
    private long orderId;

    @Required
    @Pattern("^0x[0-9a-fA-F]{40}$")
    @JsonPropertyDescription("The tenant's account; only its certificate may send the manifest.")
    private String tenant;

    @Required
    @Pattern("^0x[0-9a-fA-F]{40}$")
    @JsonPropertyDescription("This provider's account.")
    private String provider;

    @Required
    @Pattern("^[0-9]+$")
    @JsonPropertyDescription("Price per hour in payment-token base units (decimal string: it may exceed 64 bits).")
    private String pricePerHour;

    @Required
    @Pattern("^0x[0-9a-fA-F]{64}$")
    @JsonPropertyDescription("The canonical hash of the manifest the order carries; a manifest must match it.")
    private String manifestHash;

    @Required
    @JsonPropertyDescription("What the order asked for; the lease namespace's quota.")
    private LeaseResources resources;

    @Required
    @JsonPropertyDescription("The lease's state on chain: Active, Closed or Failed.")
    private ChainState chainState = ChainState.Active;

    public enum ChainState { Active, Closed, Failed }

    public long getLeaseId() { return leaseId; }
    public void setLeaseId(long leaseId) { this.leaseId = leaseId; }
    public long getOrderId() { return orderId; }
    public void setOrderId(long orderId) { this.orderId = orderId; }
    public String getTenant() { return tenant; }
    public void setTenant(String tenant) { this.tenant = tenant; }
    public String getProvider() { return provider; }
    public void setProvider(String provider) { this.provider = provider; }
    public String getPricePerHour() { return pricePerHour; }
    public void setPricePerHour(String pricePerHour) { this.pricePerHour = pricePerHour; }
    public String getManifestHash() { return manifestHash; }
    public void setManifestHash(String manifestHash) { this.manifestHash = manifestHash; }
    public LeaseResources getResources() { return resources; }
    public void setResources(LeaseResources resources) { this.resources = resources; }
    public ChainState getChainState() { return chainState; }
    public void setChainState(ChainState chainState) { this.chainState = chainState; }
}
