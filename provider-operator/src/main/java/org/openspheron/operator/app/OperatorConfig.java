package org.openspheron.operator.app;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.openspheron.operator.lease.PodSecurityLevel;

/** How the Kubernetes side of the provider operator runs. */
@ConfigMapping(prefix = "spheron.operator")
public interface OperatorConfig {
    /** Off in tests of other parts (gateway, bid engine) that need the application but not the reconcilers. */
    @WithDefault("true")
    boolean enabled();

    /**
     * Namespaces whose GPUDeployments are reconciled; all namespaces when absent. SpheronLeases are cluster-scoped
     * and always watched cluster-wide, and the namespaces they create are {@code lease-<id>}, so a restricted list
     * suits only a provider who applies GPUDeployments by hand.
     */
    Optional<Set<String>> namespaces();

    /** How exposed ports leave the cluster: NodePort (any cluster) or LoadBalancer (a cloud or MetalLB). */
    @WithDefault("NodePort")
    ExposedServiceType serviceType();

    /**
     * The host name or address tenants use to reach node ports; by default the ExternalIP (else InternalIP) of
     * the node a service's pod runs on.
     */
    Optional<String> publicHost();

    /**
     * The IngressClass of the Ingresses made for a manifest's {@code accept} hosts (e.g. {@code nginx}); unset, the
     * Ingresses name no class and the cluster's default IngressClass serves them.
     */
    Optional<String> ingressClass();

    /**
     * A cert-manager ClusterIssuer (e.g. {@code letsencrypt-prod}): set, every {@code accept} host is served over
     * TLS with a certificate cert-manager obtains; unset, the hosts are plain HTTP.
     */
    Optional<String> ingressClusterIssuer();

    /** The Pod Security Standard lease namespaces enforce; see {@link PodSecurityLevel} for why baseline. */
    @WithDefault("baseline")
    PodSecurityLevel podSecurity();

    /** Parallel reconciles; the JOSDK default suits a few hundred leases. */
    @WithDefault("10")
    int reconcileThreads();

    /**
     * How long a container may stay in a waiting state the kubelet retries by itself (CreateContainerConfigError,
     * CreateContainerError, RunContainerError: a Secret not yet in the kubelet's cache, a runtime hiccup) before
     * the deployment counts as Failed. Before that it is Pending with the reason shown.
     */
    @WithDefault("PT2M")
    Duration containerRetryGrace();

    /**
     * Taints of your nodes that tenant pods may ignore, each {@code key}, {@code key=value}, optionally followed by
     * {@code :NoSchedule}, {@code :PreferNoSchedule} or {@code :NoExecute}. GPU pods always tolerate
     * {@code nvidia.com/gpu:NoSchedule}. A node with a NoSchedule or NoExecute taint the pods do not tolerate is not
     * counted, registered or bid on.
     */
    Optional<List<String>> tolerations();

    /**
     * The RuntimeClass pods that request GPUs run under, e.g. {@code nvidia} where the GPU nodes' containerd has
     * NVIDIA's runtime as a handler besides the default (NVIDIA's GPU Operator creates the RuntimeClass
     * {@code nvidia}). Unset, pods have no {@code runtimeClassName}: right where NVIDIA's runtime is the nodes' default.
     * CPU-only pods never get it (see {@link org.openspheron.operator.deployment.PodSettings}). The RuntimeClass must
     * exist, or the API server refuses the pods.
     */
    Optional<String> runtimeClass();

    /**
     * The StorageClass that serves each storage class a manifest may name ({@code storage-classes.beta3=fast-nvme},
     * env {@code SPHERON_OPERATOR_STORAGE_CLASSES_BETA3}). None mapped: persistent volumes get the cluster's default
     * StorageClass whatever class they name. Some mapped: a volume naming another class is refused at the gateway.
     */
    Map<String, String> storageClasses();

    /**
     * The RuntimeClass that runs each confidential-computing type a manifest may ask for (Akash SDL 2.1's
     * {@code params.tee.type}: {@code sev-snp}, {@code sev-snp-gpu}, {@code tdx}, {@code tdx-gpu}), as
     * {@code TYPE=RuntimeClass} entries, e.g. {@code tee-runtime-classes=sev-snp=kata-qemu-snp,tdx=kata-qemu-tdx}
     * (env {@code SPHERON_OPERATOR_TEE_RUNTIME_CLASSES}: a list, since a type's dashes cannot be written in an
     * environment variable's name). None: no confidential computing is offered, and TEE orders get no bid. The
     * RuntimeClass's scheduling must select the nodes that have it.
     */
    Optional<List<String>> teeRuntimeClasses();

    /**
     * The addresses this provider leases to tenants for Akash SDL {@code ip} endpoints, each an address, a CIDR or a
     * range ({@link org.openspheron.operator.config.IpPool}), e.g. {@code 203.0.113.0/28}; env
     * {@code SPHERON_OPERATOR_IP_POOL}. They must be routed to the cluster as {@link #ipMode()} needs, and used by
     * nothing else. Unset: no leased IPs, and orders needing one get no bid.
     */
    Optional<List<String>> ipPool();

    /** How a leased address reaches the cluster: {@code metallb}, {@code load-balancer-ip} or {@code external-ips}. */
    @WithDefault("metallb")
    org.openspheron.operator.deployment.LeasedIpMode ipMode();

    /**
     * Addresses or CIDRs outside the pod network that lease pods may query for DNS (port 53), besides the resolver
     * pods of {@link #dnsPodLabels()}: by default NodeLocal DNSCache's {@code 169.254.20.10}. See
     * {@link org.openspheron.operator.lease.LeaseEgress}.
     */
    @WithDefault(org.openspheron.operator.lease.LeaseEgress.NODE_LOCAL_DNS)
    List<String> dnsResolvers();

    /** {@code key=value} labels of the cluster DNS resolver's pods, in whatever namespace they run. */
    @WithDefault("k8s-app=kube-dns")
    List<String> dnsPodLabels();

    /**
     * IPv4 CIDRs lease pods may not reach, besides the private and link-local ranges. Unset: the nodes' own
     * InternalIP and ExternalIP addresses, read from the API server and kept current.
     */
    Optional<List<String>> blockedEgress();

    /**
     * The first wait after a failed reconcile (a chain RPC or API server that went away, an object the API server
     * refused). Each further failure doubles the wait up to {@link #retryMaxInterval()}; retries never stop, so an
     * outage of any length heals by itself. See {@link ReconcileRetry}.
     */
    @WithDefault("PT2S")
    Duration retryInitialInterval();

    /** The longest wait between retries of a failing reconcile. */
    @WithDefault("PT5M")
    Duration retryMaxInterval();

    /** Every SpheronLease and GPUDeployment is reconciled at least this often, even when nothing changed. */
    @WithDefault("PT10M")
    Duration resyncInterval();

    /**
     * A lease namespace Terminating longer than this is reported stuck (condition, Warning Event, gauge
     * {@code spheron_operator_namespaces_stuck_terminating}); see {@link org.openspheron.operator.lease.LeaseUpkeep}.
     */
    @WithDefault("PT15M")
    Duration namespaceStuckAfter();

    /** How long an ended lease's SpheronLease is kept, once its namespace is gone, before it is deleted. */
    @WithDefault("P7D")
    Duration closedLeaseRetention();

    /** Which replica reconciles and does the chain duties; see {@link LeaderElection}. */
    LeaderElection leaderElection();

    enum ExposedServiceType { NodePort, LoadBalancer }

    /**
     * Two replicas run safely: the one holding a {@code coordination.k8s.io} Lease reconciles and does every chain duty
     * (registration, bids, confirmations, heartbeats, withdrawals); the other only serves the gateway until it takes
     * over. Off, this process leads alone: run one replica only.
     */
    interface LeaderElection {
        @WithDefault("true")
        boolean enabled();

        /**
         * The Lease's namespace; by default the pod's own: {@code POD_NAMESPACE} (set from the downward API in
         * k8s/), else the ServiceAccount's namespace file, else the Kubernetes client's namespace.
         */
        Optional<String> namespace();

        @WithDefault("spheron-provider-operator")
        String leaseName();

        /**
         * This replica's name in the Lease; by default {@code POD_NAME} (downward API), else the host name and process
         * id, which stays unique when several processes share a host.
         */
        Optional<String> identity();

        /** How long a Lease holds after its last renewal: the longest a crashed leader's duties stay undone. */
        @WithDefault("15s")
        Duration leaseDuration();

        /** A leader that could not renew for this long stops its duties and exits; shorter than the Lease. */
        @WithDefault("10s")
        Duration renewDeadline();

        /** How often the Lease is renewed, and how often a follower tries to take it. */
        @WithDefault("2s")
        Duration retryPeriod();
    }
}
