package org.openspheron.operator.app;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
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

    enum ExposedServiceType { NodePort, LoadBalancer }
}
