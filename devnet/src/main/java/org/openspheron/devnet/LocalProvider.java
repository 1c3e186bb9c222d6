package org.openspheron.devnet;

import java.nio.file.Path;
import java.util.List;
import org.web3j.crypto.Credentials;

/**
 * One provider of the local run: its development account, location, fake GPU nodes and price, and once started
 * its cluster and the operator's access to it. Ports are fixed per index so that URLs stay the same across restarts.
 */
public final class LocalProvider {
    private final int index;
    private final String region;
    private final String zone;
    private final List<GpuNode> nodes;
    private final String pricePerGpuHour;
    private final long stakeTokens;
    private final int portOffset;
    private String tdxNode;
    private String beta3Class;
    private DevCluster cluster;
    private ClusterAccess operatorAccess;

    public LocalProvider(int index, String region, String zone, List<GpuNode> nodes, String pricePerGpuHour, long stakeTokens) {
        this(index, region, zone, nodes, pricePerGpuHour, stakeTokens, 0);
    }

    /** With every port moved by {@code portOffset}, so that tests run beside a local run. */
    public LocalProvider(int index, String region, String zone, List<GpuNode> nodes, String pricePerGpuHour, long stakeTokens,
                         int portOffset) {
        this.portOffset = portOffset;
        this.index = index;
        this.region = region;
        this.zone = zone;
        this.nodes = List.copyOf(nodes);
        this.pricePerGpuHour = pricePerGpuHour;
        this.stakeTokens = stakeTokens;
    }

    /**
     * Makes {@code node} this provider's confidential-computing node: on a cluster the local run starts, it gets the
     * label kata-deploy gives ({@value LocalSystem#KATA_LABEL}) and the cluster the RuntimeClass
     * {@value LocalSystem#TDX_RUNTIME_CLASS} selecting it, and the operator maps Akash's {@code tdx} to that class.
     */
    public LocalProvider withTdxNode(String node) {
        this.tdxNode = node;
        return this;
    }

    /**
     * Gives persistent volumes of Akash's class {@code beta3} the StorageClass {@code storageClass}: on a cluster the
     * local run starts, statically provisioned volumes of that class, and the operator's mapping.
     */
    public LocalProvider withBeta3Class(String storageClass) {
        this.beta3Class = storageClass;
        return this;
    }

    void attach(DevCluster cluster, ClusterAccess operatorAccess) {
        this.cluster = cluster;
        this.operatorAccess = operatorAccess;
    }

    public int index() { return index; }
    public String region() { return region; }
    public String zone() { return zone; }
    public List<GpuNode> nodes() { return nodes; }
    public String pricePerGpuHour() { return pricePerGpuHour; }
    public long stakeTokens() { return stakeTokens; }
    public DevCluster cluster() { return cluster; }
    /** The confidential-computing node, or null. */
    public String tdxNode() { return tdxNode; }
    /** The StorageClass of beta3 volumes, or null (the cluster's default). */
    public String beta3Class() { return beta3Class; }
    /** The cluster admin's kubeconfig: what the provider runs kubectl with. */
    public Path kubeconfig() { return cluster.kubeconfig(); }
    /** How the operator reaches the API server: as its own ServiceAccount. */
    public ClusterAccess operatorAccess() { return operatorAccess; }
    public Credentials key() { return org.openspheron.chain.LocalChain.devAccount(LocalSystem.FIRST_PROVIDER + index); }
    public int httpPort() { return portOffset + 8280 + index; }
    public int gatewayPort() { return portOffset + 8443 + index; }
    public String gatewayUrl() { return "https://127.0.0.1:" + gatewayPort(); }
}
