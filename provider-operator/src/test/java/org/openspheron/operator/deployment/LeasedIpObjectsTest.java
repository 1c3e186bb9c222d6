package org.openspheron.operator.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.openspheron.operator.Manifests.deployment;
import static org.openspheron.operator.Manifests.service;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.openspheron.operator.app.OperatorConfig.ExposedServiceType;
import org.openspheron.operator.inventory.PodTolerations;

/** The Services leased IP endpoints become, in each {@link LeasedIpMode}, as objects. */
class LeasedIpObjectsTest {
    private static final PodSettings PODS = new PodSettings(false, PodTolerations.DEFAULT, Optional.empty());

    /** Service web: 8080 as 80 and 5353/UDP on endpoint "front", 22 on a node port; service api: 9000 as 443 on "front". */
    private static GPUDeployment shared() {
        WorkloadService web = service("web", "nginx:1.27", 0, null, 8080, 22);
        web.getPorts().get(0).setAs(80);
        web.getPorts().get(0).setIpEndpoint("front");
        ExposedPort dns = new ExposedPort();
        dns.setPort(5353);
        dns.setProtocol(ExposedPort.Protocol.UDP);
        dns.setIpEndpoint("front");
        web.getPorts().add(dns);
        WorkloadService api = service("api", "api:1", 0, null, 9000);
        api.getPorts().get(0).setAs(443);
        api.getPorts().get(0).setIpEndpoint("front");
        GPUDeployment deployment = deployment("lease-7", "lease-7", 7L, web, api);
        deployment.getSpec().setIpEndpoints(List.of(new LeasedIp("front", "203.0.113.10")));
        return deployment;
    }

    private static WorkloadObjects.ServiceObjects objects(GPUDeployment deployment, int service, LeasedIpMode mode) {
        return WorkloadObjects.desired(deployment, deployment.getSpec().getServices().get(service), new TreeSet<>(),
                ExposedServiceType.NodePort, PODS, IngressSettings.DEFAULT, mode);
    }

    @Test
    void metallbGetsTheAddressAndOneSharingKeyForEveryServiceOfTheEndpoint() {
        GPUDeployment deployment = shared();
        Service web = objects(deployment, 0, LeasedIpMode.METALLB).leasedIps().get(0);
        Service api = objects(deployment, 1, LeasedIpMode.METALLB).leasedIps().get(0);

        assertThat(web.getMetadata().getName()).isEqualTo("web-ip-0");
        assertThat(api.getMetadata().getName()).isEqualTo("api-ip-0");
        for (Service s : List.of(web, api)) {
            assertThat(s.getSpec().getType()).isEqualTo("LoadBalancer");
            assertThat(s.getSpec().getLoadBalancerIP()).isNull();
            assertThat(s.getMetadata().getAnnotations())
                    .containsEntry("metallb.universe.tf/loadBalancerIPs", "203.0.113.10")
                    .containsEntry("metallb.universe.tf/allow-shared-ip", "lease-7-front")
                    .containsEntry(WorkloadObjects.LEASED_IP_ANNOTATION, "203.0.113.10");
        }
        assertThat(web.getSpec().getPorts()).extracting(p -> p.getPort() + "/" + p.getProtocol() + "->" + p.getTargetPort().getIntVal())
                .containsExactly("80/TCP->8080", "5353/UDP->5353");
        assertThat(api.getSpec().getPorts()).extracting(p -> p.getPort()).containsExactly(443);
    }

    @Test
    void portsOnTheLeasedIpGetNoNodePortButStayReachableInsideTheLease() {
        WorkloadObjects.ServiceObjects web = objects(shared(), 0, LeasedIpMode.METALLB);

        assertThat(web.external().getSpec().getPorts()).extracting(p -> p.getPort()).containsExactly(22);
        assertThat(web.internal().getSpec().getPorts()).extracting(p -> p.getPort()).containsExactly(80, 22, 5353);
        assertThat(web.all()).extracting(HasMetadata::getMetadata).extracting(m -> m.getName())
                .contains("web", "web-ext", "web-ip-0");
        // A service with no port on an endpoint gets no Service for it.
        GPUDeployment deployment = shared();
        deployment.getSpec().getServices().get(1).getPorts().get(0).setIpEndpoint(null);
        assertThat(objects(deployment, 1, LeasedIpMode.METALLB).leasedIps()).isEmpty();
    }

    @Test
    void loadBalancerIpAndExternalIpsModesNameTheAddressInTheSpec() {
        Service lb = objects(shared(), 0, LeasedIpMode.LOAD_BALANCER_IP).leasedIps().get(0);
        assertThat(lb.getSpec().getType()).isEqualTo("LoadBalancer");
        assertThat(lb.getSpec().getLoadBalancerIP()).isEqualTo("203.0.113.10");
        assertThat(lb.getMetadata().getAnnotations()).doesNotContainKey("metallb.universe.tf/loadBalancerIPs");

        Service external = objects(shared(), 0, LeasedIpMode.EXTERNAL_IPS).leasedIps().get(0);
        assertThat(external.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(external.getSpec().getExternalIPs()).containsExactly("203.0.113.10");
    }

    @Test
    void aPortOnAnEndpointTheSpecDoesNotListIsRefusedNotDropped() {
        GPUDeployment deployment = shared();
        deployment.getSpec().getServices().get(1).getPorts().get(0).setIpEndpoint("back");

        assertThatThrownBy(() -> objects(deployment, 1, LeasedIpMode.METALLB)).isInstanceOfSatisfying(LeasedIpException.class,
                e -> {
                    assertThat(e.reason()).isEqualTo("IpEndpointUnknown");
                    assertThat(e.getMessage()).contains("api").contains("back");
                });
    }
}
