package org.openspheron.operator.lease;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openspheron.operator.deployment.ExposedPort;
import org.openspheron.operator.deployment.GPUDeployment;

/**
 * The two network policies of a lease namespace. {@code default-deny} selects every pod and allows nothing, so a
 * pod is isolated even before the second policy exists or when a CNI applies policies one by one.
 * {@code lease-traffic} then allows:
 * <ul>
 * <li>ingress from pods of the same lease (services talk to each other), and from anywhere to the ports the
 * lease's GPUDeployment exposes globally (NodePort or LoadBalancer traffic may arrive from any node address);</li>
 * <li>egress to pods of the same lease, DNS (port 53) to the cluster resolver, and the internet: every IPv4
 * address except the private (RFC 1918), carrier-grade NAT (100.64/10) and link-local (169.254/16, the cloud
 * metadata service) ranges. Pod and node addresses live in those ranges, so a tenant reaches neither other
 * leases nor the provider's own services; the cost is that a tenant cannot reach a private network on purpose.</li>
 * </ul>
 * The resolver is selected by its pods' label ({@code k8s-app: kube-dns}, CoreDNS's in kubeadm, EKS, GKE and most
 * distributions) in any namespace: the namespace label {@code kubernetes.io/metadata.name} exists only from
 * Kubernetes 1.21 on, so a selector on it matched nothing on 1.20 and would have cut DNS off wherever policies are
 * enforced.
 */
final class LeaseNetworkPolicies {
    static final String DEFAULT_DENY = "default-deny";
    static final String LEASE_TRAFFIC = "lease-traffic";
    static final List<String> NON_INTERNET = List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16");

    private LeaseNetworkPolicies() {
    }

    /** Denies all ingress and egress to every pod of the namespace. */
    static final class DefaultDeny extends LeaseOwnedDependent<NetworkPolicy> {
        DefaultDeny() {
            super(NetworkPolicy.class);
        }

        @Override
        protected NetworkPolicy desired(SpheronLease lease, Context<SpheronLease> context) {
            return new NetworkPolicyBuilder()
                    .withNewMetadata().withName(DEFAULT_DENY).withNamespace(lease.namespaceName()).withLabels(labels(lease)).endMetadata()
                    .withNewSpec().withNewPodSelector().endPodSelector().withPolicyTypes("Ingress", "Egress").endSpec()
                    .build();
        }
    }

    /** What a lease's pods may still do: see the class comment. */
    static final class LeaseTraffic extends LeaseOwnedDependent<NetworkPolicy> {
        LeaseTraffic() {
            super(NetworkPolicy.class);
        }

        @Override
        protected NetworkPolicy desired(SpheronLease lease, Context<SpheronLease> context) {
            List<NetworkPolicyPort> exposed = exposedPorts(context.getSecondaryResources(GPUDeployment.class).stream()
                    .filter(d -> lease.namespaceName().equals(d.getMetadata().getNamespace())).toList());
            var sameLease = new NetworkPolicyPeerBuilder().withNewPodSelector().endPodSelector().build();
            var spec = new NetworkPolicyBuilder()
                    .withNewMetadata().withName(LEASE_TRAFFIC).withNamespace(lease.namespaceName()).withLabels(labels(lease)).endMetadata()
                    .withNewSpec().withNewPodSelector().endPodSelector().withPolicyTypes("Ingress", "Egress")
                    .addToIngress(new NetworkPolicyIngressRuleBuilder().withFrom(sameLease).build());
            if (!exposed.isEmpty()) {
                spec.addToIngress(new NetworkPolicyIngressRuleBuilder().withPorts(exposed).build());
            }
            return spec
                    .addToEgress(new NetworkPolicyEgressRuleBuilder().withTo(sameLease).build())
                    .addToEgress(new NetworkPolicyEgressRuleBuilder()
                            .withTo(new NetworkPolicyPeerBuilder().withNewNamespaceSelector().endNamespaceSelector()
                                    .withNewPodSelector().withMatchLabels(Map.of("k8s-app", "kube-dns")).endPodSelector().build())
                            .withPorts(port(53, "UDP"), port(53, "TCP")).build())
                    .addToEgress(new NetworkPolicyEgressRuleBuilder()
                            .withTo(new NetworkPolicyPeerBuilder().withNewIpBlock().withCidr("0.0.0.0/0").withExcept(NON_INTERNET).endIpBlock().build())
                            .build())
                    .endSpec().build();
        }

        private static List<NetworkPolicyPort> exposedPorts(List<GPUDeployment> deployments) {
            List<NetworkPolicyPort> ports = new ArrayList<>();
            for (GPUDeployment deployment : deployments) {
                for (var service : deployment.getSpec().getServices()) {
                    for (ExposedPort p : service.getPorts()) {
                        NetworkPolicyPort port = port(p.getPort(), p.getProtocol().name());
                        if (p.isGlobal() && !ports.contains(port)) {
                            ports.add(port);
                        }
                    }
                }
            }
            return ports;
        }

        private static NetworkPolicyPort port(int number, String protocol) {
            return new NetworkPolicyPortBuilder().withPort(new IntOrString(number)).withProtocol(protocol).build();
        }
    }
}
