package org.openspheron.operator.lease;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.ArrayList;
import java.util.List;
import org.openspheron.operator.deployment.ExposedPort;
import org.openspheron.operator.deployment.GPUDeployment;

/**
 * The two network policies of a lease namespace. {@code default-deny} selects every pod and allows nothing, so a
 * pod is isolated even before the second policy exists or when a CNI applies policies one by one.
 * {@code lease-traffic} then allows:
 * <ul>
 * <li>ingress from pods of the same lease (services talk to each other), and from anywhere to the ports the
 * lease's GPUDeployment exposes globally (NodePort or LoadBalancer traffic may arrive from any node address);</li>
 * <li>egress to pods of the same lease, DNS to the cluster resolver, and the internet except private ranges and the
 * nodes' own addresses: see {@link LeaseEgress}, which a provider configures. Pod and node addresses are never
 * reachable, so a tenant reaches neither other leases nor the provider's own services; the cost is that a tenant
 * cannot reach a private network on purpose.</li>
 * </ul>
 */
final class LeaseNetworkPolicies {
    static final String DEFAULT_DENY = "default-deny";
    static final String LEASE_TRAFFIC = "lease-traffic";

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
        private final LeaseEgress egress;

        LeaseTraffic(LeaseEgress egress) {
            super(NetworkPolicy.class);
            this.egress = egress;
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
                            .withTo(dnsPeers())
                            .withPorts(port(53, "UDP"), port(53, "TCP")).build())
                    .addToEgress(new NetworkPolicyEgressRuleBuilder()
                            .withTo(new NetworkPolicyPeerBuilder().withNewIpBlock().withCidr("0.0.0.0/0").withExcept(egress.except()).endIpBlock().build())
                            .build())
                    .endSpec().build();
        }

        private List<NetworkPolicyPeer> dnsPeers() {
            List<NetworkPolicyPeer> peers = new ArrayList<>();
            peers.add(new NetworkPolicyPeerBuilder().withNewNamespaceSelector().endNamespaceSelector()
                    .withNewPodSelector().withMatchLabels(egress.dnsPodLabels()).endPodSelector().build());
            for (String resolver : egress.dnsResolvers()) {
                peers.add(new NetworkPolicyPeerBuilder().withNewIpBlock().withCidr(resolver).endIpBlock().build());
            }
            return peers;
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
