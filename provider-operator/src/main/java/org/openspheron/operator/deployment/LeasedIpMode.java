package org.openspheron.operator.deployment;

/**
 * How a lease's leased IP address (an Akash SDL {@code ip} endpoint) reaches the cluster, after what the provider's
 * network runs ({@code spheron.operator.ip-mode}). Each service using an endpoint gets one Service
 * {@code <service>-ip-<n>} with the endpoint's ports; the services sharing an endpoint share its address.
 */
public enum LeasedIpMode {
    /**
     * A LoadBalancer Service asking MetalLB for the address ({@code metallb.universe.tf/loadBalancerIPs}) with a
     * sharing key per lease and endpoint ({@code metallb.universe.tf/allow-shared-ip}), so the services of one
     * endpoint share it. The address shows in status once MetalLB announces it (the Service's load balancer status).
     */
    METALLB,
    /**
     * A LoadBalancer Service with {@code spec.loadBalancerIP}: cloud load balancers, kube-vip, MetalLB before 0.13.
     * The address shows once the load balancer reports it.
     */
    LOAD_BALANCER_IP,
    /**
     * A ClusterIP Service with {@code spec.externalIPs}: kube-proxy answers on the address on every node, and the
     * provider's network routes the pool to the nodes. No load balancer controller is needed; the address shows as
     * soon as the Service exists.
     */
    EXTERNAL_IPS
}
