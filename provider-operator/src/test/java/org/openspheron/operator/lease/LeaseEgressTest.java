package org.openspheron.operator.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Issue 14: DNS egress with NodeLocal DNSCache, and no egress to the nodes' own (often public) addresses. */
class LeaseEgressTest {
    private static Node node(String name, String... typeAndAddress) {
        NodeBuilder node = new NodeBuilder().withNewMetadata().withName(name).endMetadata();
        var status = node.withNewStatus();
        for (int i = 0; i < typeAndAddress.length; i += 2) {
            status.addNewAddress().withType(typeAndAddress[i]).withAddress(typeAndAddress[i + 1]).endAddress();
        }
        return status.endStatus().build();
    }

    @Test
    void theNodesPublicAddressesAreBlockedAndPrivateOnesAreAlreadyCovered() {
        List<Node> nodes = List.of(
                node("gpu-1", "InternalIP", "10.0.0.5", "ExternalIP", "203.0.113.7", "Hostname", "gpu-1"),
                node("gpu-2", "InternalIP", "198.51.100.20", "InternalIP", "2001:db8::20"),
                node("gpu-3", "ExternalIP", "203.0.113.7"));
        LeaseEgress egress = new LeaseEgress(List.of(LeaseEgress.NODE_LOCAL_DNS), List.of("k8s-app=kube-dns"), Optional.empty(), () -> nodes);

        assertThat(egress.except()).startsWith(LeaseEgress.NON_INTERNET.toArray(String[]::new))
                .endsWith("198.51.100.20/32", "203.0.113.7/32")
                .hasSize(LeaseEgress.NON_INTERNET.size() + 2);
    }

    @Test
    void aListOfBlockedCidrsReplacesTheNodesAddressesAndIsNormalised() {
        LeaseEgress egress = new LeaseEgress(List.of("169.254.20.10", "10.96.0.10/32"), List.of("app.kubernetes.io/name=coredns"),
                Optional.of(List.of("198.51.100.77/24", "203.0.113.9")), () -> List.of(node("gpu-1", "ExternalIP", "192.0.2.1")));

        assertThat(egress.except()).endsWith("198.51.100.0/24", "203.0.113.9/32").doesNotContain("192.0.2.1/32");
        assertThat(egress.dnsResolvers()).containsExactly("169.254.20.10/32", "10.96.0.10/32");
        assertThat(egress.dnsPodLabels()).containsExactly(java.util.Map.entry("app.kubernetes.io/name", "coredns"));
    }

    @Test
    void badSettingsAreRefusedWithTheKeyNamed() {
        assertThatThrownBy(() -> new LeaseEgress(List.of("fe80::1"), List.of("k8s-app=kube-dns"), Optional.empty(), List::of))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("spheron.operator.dns-resolvers").hasMessageContaining("IPv4");
        assertThatThrownBy(() -> new LeaseEgress(List.of(), List.of("k8s-app=kube-dns"), Optional.of(List.of("300.1.1.1")), List::of))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("spheron.operator.blocked-egress");
        assertThatThrownBy(() -> new LeaseEgress(List.of(), List.of("k8s-app"), Optional.empty(), List::of))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("spheron.operator.dns-pod-labels");
        assertThatThrownBy(() -> new LeaseEgress(List.of(), List.of("10.0.0.0/33"), Optional.empty(), List::of))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
