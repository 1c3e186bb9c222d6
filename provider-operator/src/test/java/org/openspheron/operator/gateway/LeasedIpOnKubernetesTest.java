package org.openspheron.operator.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceStatusBuilder;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openspheron.chain.OrderFeatures;
import org.openspheron.chain.OrderSpec;
import org.openspheron.manifest.Manifest;
import org.openspheron.manifest.ManifestParser;
import org.openspheron.manifest.ResourceTotals;
import org.openspheron.operator.OperatorFixture;
import org.openspheron.operator.config.IpPool;
import org.openspheron.operator.deployment.GPUDeployment;
import org.openspheron.operator.deployment.GPUDeploymentStatus;
import org.openspheron.operator.deployment.LeasedIp;
import org.openspheron.operator.deployment.LeasedIpMode;

/**
 * Akash SDL leased IP endpoints on a real API server, from the gateway's acceptance (an address from the provider's
 * pool) to the reconciler's Services and the status. The operator runs under its own ClusterRole from {@code k8s/}.
 * No load balancer controller runs here: in {@code external-ips} mode none is needed (kube-proxy answers on the
 * address; hollow nodes route nothing, so traffic is not checked), and the last test writes a Service's load
 * balancer status the way MetalLB's controller would, to show the reconciler waits for it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LeasedIpOnKubernetesTest {
    private static final IpPool POOL = IpPool.parse(List.of("203.0.113.10-203.0.113.12"));
    private static OperatorFixture fixture;
    private static LeaseCluster leases;

    @BeforeAll
    static void start() {
        fixture = OperatorFixture.start();
        fixture.deployments.ipMode(LeasedIpMode.EXTERNAL_IPS).ipPool(POOL);
        leases = new LeaseCluster(fixture.client, Duration.ZERO, POOL);
    }

    @AfterAll
    static void stop() {
        if (leases != null) {
            leases.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    /** Services web (8080 as 80) and api (9000 as 443) share the ip endpoint "front"; web also has 22 on a node port. */
    static final String SHARED = """
            version: "2.0"
            endpoints:
              front:
                kind: ip
            services:
              web:
                image: nginx:1.27
                expose:
                  - port: 8080
                    as: 80
                    to:
                      - global: true
                        ip: front
                  - port: 22
                    to:
                      - global: true
              api:
                image: nginx:1.27
                expose:
                  - port: 9000
                    as: 443
                    to:
                      - global: true
                        ip: front
            profiles:
              compute:
                small:
                  resources:
                    cpu:
                      units: 0.25
                    memory:
                      size: 256Mi
                    storage:
                      size: 512Mi
              placement:
                dc:
                  pricing:
                    small:
                      denom: uakt
                      amount: 100
            deployment:
              web:
                dc:
                  profile: small
                  count: 1
              api:
                dc:
                  profile: small
                  count: 1
            """;

    /** Service web alone, 8080 as 80 on the ip endpoint "front". */
    static final String WEB_ONLY = SHARED
            .replace("""
                      api:
                        image: nginx:1.27
                        expose:
                          - port: 9000
                            as: 443
                            to:
                              - global: true
                                ip: front
                    """, "")
            .replace("""
                      api:
                        dc:
                          profile: small
                          count: 1
                    """, "");

    /** The workload of {@code manifest} for a lease whose order bought as many leased IPs as it declares. */
    static LeaseWorkload ordered(long leaseId, Manifest manifest) {
        ResourceTotals totals = manifest.resources();
        return ManifestDeployment.of(leaseId, manifest, new OrderSpec(totals.cpuMilli(), totals.memoryMb(),
                totals.storageMb(), 0, "", "", "", false, BigInteger.ONE, 3600, manifest.canonicalHash(),
                OrderFeatures.ofLeasedIps(manifest.ipEndpoints().size())));
    }

    /** What the gateway does with a manifest: translate, check, write into the lease's namespace. */
    private static LeaseWorkload accept(long leaseId, String yaml) {
        LeaseWorkload workload = ordered(leaseId, ManifestParser.parse(yaml));
        leases.refuseLeasedIpsWithoutPool(workload);
        if (fixture.client.namespaces().withName(LeaseCluster.namespace(leaseId)).get() == null) {
            fixture.create(new NamespaceBuilder().withNewMetadata().withName(LeaseCluster.namespace(leaseId)).endMetadata().build());
        }
        leases.apply(workload);
        return workload;
    }

    private static Service service(long leaseId, String name) {
        return fixture.client.services().inNamespace(LeaseCluster.namespace(leaseId)).withName(name).get();
    }

    /** The addresses the operator gave the lease's endpoints, once it has. */
    private static List<String> addresses(long leaseId) {
        return fixture.awaitValue(() -> leases.deployment(leaseId).orElseThrow().getSpec().getIpEndpoints().stream()
                .map(LeasedIp::getAddress).toList(), a -> a.stream().allMatch(java.util.Objects::nonNull));
    }

    private static void delete(long leaseId) {
        fixture.client.resources(GPUDeployment.class).inNamespace("lease-" + leaseId).withName("lease-" + leaseId).delete();
        fixture.awaitValue(() -> leases.deployment(leaseId).isEmpty() ? "gone" : null, gone -> gone != null);
    }

    @Test
    @Order(1)
    void servicesSharingAnEndpointRunOnOneAddressAndTheStatusShowsItsPorts() {
        accept(61, SHARED);

        assertThat(addresses(61)).containsExactly("203.0.113.10");
        Service web = fixture.awaitValue(() -> service(61, "web-ip-0"), s -> s != null);
        Service api = fixture.awaitValue(() -> service(61, "api-ip-0"), s -> s != null);
        assertThat(web.getSpec().getExternalIPs()).containsExactly("203.0.113.10");
        assertThat(api.getSpec().getExternalIPs()).containsExactly("203.0.113.10");
        assertThat(web.getSpec().getPorts()).extracting(p -> p.getPort()).containsExactly(80);
        assertThat(api.getSpec().getPorts()).extracting(p -> p.getPort()).containsExactly(443);
        // 22 keeps its node port; 80 is on the address only.
        assertThat(service(61, "web-ext").getSpec().getPorts()).extracting(p -> p.getPort()).containsExactly(22);

        GPUDeploymentStatus status = fixture.awaitValue(() -> leases.deployment(61).orElseThrow().getStatus(),
                s -> s != null && s.getPhase() == GPUDeploymentStatus.Phase.Running);
        assertThat(status.getForwardedPorts()).filteredOn(p -> p.getHost().equals("203.0.113.10"))
                .extracting(p -> p.getService() + ":" + p.getExternalPort()).containsExactlyInAnyOrder("web:80", "api:443");
        assertThat(status.getServices()).filteredOn(s -> s.getName().equals("web")).singleElement()
                .satisfies(s -> assertThat(s.getUris()).contains("http://203.0.113.10:80"));
    }

    @Test
    @Order(2)
    void aResentManifestKeepsItsAddressTheNextLeasesGetOthersAndOneWaitsWhileThePoolIsSpent() {
        accept(61, SHARED);
        assertThat(addresses(61)).containsExactly("203.0.113.10");
        accept(62, SHARED);
        accept(63, SHARED);
        assertThat(addresses(62)).containsExactly("203.0.113.11");
        assertThat(addresses(63)).containsExactly("203.0.113.12");

        accept(66, SHARED);
        GPUDeployment waiting = fixture.awaitValue(() -> leases.deployment(66).orElseThrow(),
                d -> d.getStatus() != null && d.getStatus().getConditions().stream()
                        .anyMatch(c -> "AwaitingLeasedIp".equals(c.getReason())));
        assertThat(waiting.getStatus().getPhase()).isEqualTo(GPUDeploymentStatus.Phase.Pending);
        assertThat(waiting.getSpec().getIpEndpoints()).singleElement().satisfies(e -> assertThat(e.getAddress()).isNull());

        // Lease 62 ends: once its GPUDeployment and Services are gone, its address goes to the lease that waited.
        delete(62);
        assertThat(addresses(66)).containsExactly("203.0.113.11");
        fixture.awaitValue(() -> leases.deployment(66).orElseThrow().getStatus(),
                st -> st.getPhase() == GPUDeploymentStatus.Phase.Running);
    }

    @Test
    @Order(3)
    void aGpuDeploymentAppliedPastTheGatewayWithAnotherLeasesAddressFails() {
        fixture.awaitValue(() -> service(61, "web-ip-0"), s -> s != null);
        // As two gateways giving one address at the same instant, or a provider applying by hand, would leave it.
        fixture.create(new NamespaceBuilder().withNewMetadata().withName("lease-64").endMetadata().build());
        LeaseWorkload thief = ordered(64, ManifestParser.parse(SHARED));
        thief.deployment().getSpec().getIpEndpoints().get(0).setAddress("203.0.113.10");
        leases.apply(thief);

        GPUDeployment refused = fixture.awaitValue(() -> leases.deployment(64).orElseThrow(),
                d -> d.getStatus() != null && d.getStatus().getPhase() == GPUDeploymentStatus.Phase.Failed);
        assertThat(refused.getStatus().getConditions()).anySatisfy(c -> assertThat(c.getReason()).isEqualTo("IpTaken"));
        assertThat(service(64, "web-ip-0")).isNull();
        assertThat(service(61, "web-ip-0").getSpec().getExternalIPs()).containsExactly("203.0.113.10");
    }

    @Test
    @Order(4)
    void withMetalLbTheLeaseWaitsForTheLoadBalancerToAnnounceTheAddress() {
        fixture.deployments.ipMode(LeasedIpMode.METALLB);
        delete(64);
        delete(63);
        accept(65, WEB_ONLY);
        Service web = fixture.awaitValue(() -> service(65, "web-ip-0"), s -> s != null);
        assertThat(web.getSpec().getType()).isEqualTo("LoadBalancer");
        String address = web.getMetadata().getAnnotations().get("metallb.universe.tf/loadBalancerIPs");
        assertThat(address).isEqualTo(addresses(65).get(0)).isEqualTo("203.0.113.12");
        GPUDeploymentStatus waiting = fixture.awaitValue(() -> leases.deployment(65).orElseThrow().getStatus(),
                s -> s != null && s.getServices().stream().anyMatch(v -> "AwaitingExternalAddress".equals(v.getReason())));
        assertThat(waiting.getPhase()).isNotEqualTo(GPUDeploymentStatus.Phase.Running);

        // What MetalLB's controller writes once it holds the address.
        web.setStatus(new ServiceStatusBuilder().withNewLoadBalancer()
                .withIngress(new LoadBalancerIngressBuilder().withIp(address).build()).endLoadBalancer().build());
        fixture.client.services().inNamespace("lease-65").resource(web).updateStatus();

        GPUDeploymentStatus status = fixture.awaitValue(() -> leases.deployment(65).orElseThrow().getStatus(),
                s -> s != null && s.getPhase() == GPUDeploymentStatus.Phase.Running);
        assertThat(status.getForwardedPorts()).anySatisfy(p -> {
            assertThat(p.getHost()).isEqualTo(address);
            assertThat(p.getExternalPort()).isEqualTo(80);
        });
    }
}
