package org.openspheron.operator.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.OrderSpec;
import org.openspheron.manifest.Manifest;
import org.openspheron.manifest.ManifestParser;
import org.openspheron.manifest.ResourceTotals;
import org.openspheron.operator.config.IpPool;
import org.openspheron.operator.deployment.ExposedPort;
import org.openspheron.operator.deployment.WorkloadService;

/** What the gateway makes of a manifest's leased IP endpoints, and what it refuses, without a cluster. */
class LeasedIpGatewayTest {
    private static final Manifest SHARED = ManifestParser.parse(LeasedIpOnKubernetesTest.SHARED);

    @Test
    void theEndpointsAndThePortsOnThemReachTheGpuDeploymentWithoutAddressesYet() {
        var spec = LeasedIpOnKubernetesTest.ordered(9, SHARED).deployment().getSpec();

        assertThat(spec.getIpEndpoints()).singleElement().satisfies(e -> {
            assertThat(e.getName()).isEqualTo("front");
            assertThat(e.getAddress()).isNull();
        });
        WorkloadService web = spec.getServices().stream().filter(s -> s.getName().equals("web")).findFirst().orElseThrow();
        assertThat(web.getPorts()).extracting(ExposedPort::getPort, ExposedPort::getIpEndpoint)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(8080, "front"), org.assertj.core.groups.Tuple.tuple(22, null));
    }

    @Test
    void aManifestWithMoreIpEndpointsThanTheOrderBoughtIsRefused() {
        ResourceTotals totals = SHARED.resources();
        // An order whose features say no leased IP: the provider priced and holds no address for it.
        OrderSpec withoutIps = new OrderSpec(totals.cpuMilli(), totals.memoryMb(), totals.storageMb(), 0, "", "", "",
                false, BigInteger.ONE, 3600, SHARED.canonicalHash());

        assertThatThrownBy(() -> ManifestDeployment.of(9, SHARED, withoutIps)).isInstanceOfSatisfying(GatewayError.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.field()).isEqualTo("endpoints");
            assertThat(e.getMessage()).contains("1 ip endpoint").contains("bought 0 leased IPs");
        });
    }

    @Test
    void leasedIpsThatAnOldCrdPrunedAreNoticed() {
        var sent = LeasedIpOnKubernetesTest.ordered(9, SHARED).deployment();
        var pruned = LeasedIpOnKubernetesTest.ordered(9, SHARED).deployment();
        pruned.getSpec().setIpEndpoints(null);

        assertThat(LeaseCluster.leasedIpsDropped(sent, pruned)).isTrue();
        assertThat(LeaseCluster.leasedIpsDropped(sent, sent)).isFalse();
        assertThat(LeaseCluster.leasedIpsDropped(pruned, pruned)).as("nothing asked").isFalse();
    }

    @Test
    void aProviderWithoutAPoolRefusesIpEndpointsWithTheReason() {
        LeaseWorkload workload = LeasedIpOnKubernetesTest.ordered(9, SHARED);
        LeaseCluster none = new LeaseCluster(null, java.time.Duration.ZERO, IpPool.EMPTY);

        assertThatThrownBy(() -> none.refuseLeasedIpsWithoutPool(workload)).isInstanceOfSatisfying(GatewayError.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.getMessage()).contains("leases none");
        });
    }

    @Test
    void aServiceNamedLikeTheLeasedIpServiceOfAnotherIsRefused() {
        Manifest clash = ManifestParser.parse(LeasedIpOnKubernetesTest.SHARED.replace("  api:\n", "  web-ip-0:\n"));

        assertThatThrownBy(() -> LeasedIpOnKubernetesTest.ordered(9, clash)).isInstanceOfSatisfying(GatewayError.class,
                e -> assertThat(e.field()).isEqualTo("services.web-ip-0"));
    }
}
