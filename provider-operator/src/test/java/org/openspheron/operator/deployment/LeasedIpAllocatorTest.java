package org.openspheron.operator.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.operator.Manifests.deployment;
import static org.openspheron.operator.Manifests.service;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.openspheron.operator.config.IpPool;

class LeasedIpAllocatorTest {
    private final AtomicLong clock = new AtomicLong();
    private final LeasedIpAllocator allocator = new LeasedIpAllocator(
            IpPool.parse(List.of("203.0.113.10-203.0.113.12")), clock::get);
    private final List<GPUDeployment> cluster = new ArrayList<>();
    private final List<Service> services = new ArrayList<>();

    private static GPUDeployment lease(long id, String... endpoints) {
        GPUDeployment d = deployment("lease-" + id, "lease-" + id, id, service("web", "nginx:1.27", 0, null, 80));
        d.getSpec().setIpEndpoints(Arrays.stream(endpoints).map(e -> new LeasedIp(e, null)).toList());
        return d;
    }

    /** Assigns and, as the reconciler's patch and the informer would, shows the result in the cluster. */
    private List<String> assign(GPUDeployment d) {
        var assigned = allocator.assign(d, cluster.stream(), services.stream());
        if (assigned.isEmpty()) {
            return List.of();
        }
        d.getSpec().setIpEndpoints(assigned.get());
        cluster.removeIf(c -> c.getMetadata().getNamespace().equals(d.getMetadata().getNamespace()));
        cluster.add(d);
        return assigned.get().stream().map(LeasedIp::getAddress).toList();
    }

    @Test
    void addressesGoRoundThePoolSoAReleasedOneIsGivenAgainLast() {
        assertThat(assign(lease(1, "a", "b"))).containsExactly("203.0.113.10", "203.0.113.11");
        GPUDeployment second = lease(2, "a");
        assertThat(assign(second)).containsExactly("203.0.113.12");
        cluster.removeIf(d -> d.getMetadata().getNamespace().equals("lease-1"));

        // .10 and .11 are free again; the next address after the last given is .10.
        assertThat(assign(lease(3, "a"))).containsExactly("203.0.113.10");
        assertThat(assign(lease(4, "a"))).containsExactly("203.0.113.11");
    }

    @Test
    void tooFewFreeGivesNoneAtAllSoALeaseNeverRunsWithPartOfItsAddresses() {
        assign(lease(1, "a", "b"));
        GPUDeployment greedy = lease(2, "a", "b");

        assertThat(allocator.assign(greedy, cluster.stream(), services.stream())).isEmpty();
        assertThat(assign(lease(3, "a"))).containsExactly("203.0.113.12");
    }

    @Test
    void anAddressGivenButNotYetInTheInformersIsNotGivenTwice() {
        GPUDeployment first = lease(1, "a");
        // Given, but the patched GPUDeployment has not reached the cache yet.
        assertThat(allocator.assign(first, Stream.of(), Stream.of()).orElseThrow()).extracting(LeasedIp::getAddress)
                .containsExactly("203.0.113.10");
        assertThat(allocator.assign(lease(2, "a", "b"), Stream.of(), Stream.of()).orElseThrow())
                .extracting(LeasedIp::getAddress).containsExactly("203.0.113.11", "203.0.113.12");

        // Minutes later, with the first still not in the cache (it failed to write), its address is free again.
        clock.addAndGet(Duration.ofMinutes(3).toNanos());
        assertThat(allocator.assign(lease(3, "a"), Stream.of(), Stream.of()).orElseThrow())
                .extracting(LeasedIp::getAddress).containsExactly("203.0.113.10");
    }

    @Test
    void aServiceOfAnEndedLeaseStillHoldsItsAddressUntilItIsGone() {
        services.add(new ServiceBuilder().withNewMetadata().withName("web-ip-0").withNamespace("lease-9")
                .withAnnotations(Map.of(WorkloadObjects.LEASED_IP_ANNOTATION, "203.0.113.10")).endMetadata().build());

        assertThat(assign(lease(1, "a"))).containsExactly("203.0.113.11");
    }

    @Test
    void anAddressTheDeploymentAlreadyHasIsKept() {
        GPUDeployment byHand = lease(1, "a", "b");
        byHand.getSpec().getIpEndpoints().get(0).setAddress("203.0.113.11");

        assertThat(assign(byHand)).containsExactly("203.0.113.11", "203.0.113.10");
        assertThat(LeasedIpAllocator.needsAddresses(byHand)).isFalse();
    }
}
