package org.openspheron.operator.deployment;

import io.fabric8.kubernetes.api.model.Service;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.openspheron.operator.config.IpPool;

/**
 * Gives a GPUDeployment's leased IP endpoints their addresses from the provider's pool
 * ({@code spheron.operator.ip-pool}). Only the reconciler calls it, and only the leading replica reconciles, so one
 * object in one process decides every address: two gateways accepting manifests at the same instant can never give
 * one address twice. An address is taken while another namespace's GPUDeployment lists it or one of the operator's
 * Services there still carries it (a lease being torn down), or when this allocator gave it in the last minutes (the
 * informers may not show it yet). Addresses are handed out round the pool, so a released one goes to a new tenant
 * only after the others: clients and DNS still pointing at it have time to forget it.
 */
public final class LeasedIpAllocator {
    /** Longer than any informer lag: by then the patched GPUDeployment is in the cache. */
    private static final Duration RECENT = Duration.ofMinutes(2);

    private final IpPool pool;
    private final LongSupplier nanoTime;
    private final Map<String, Given> recent = new HashMap<>();
    private int cursor;

    private record Given(String namespace, long at) {
    }

    public LeasedIpAllocator(IpPool pool) {
        this(pool, System::nanoTime);
    }

    LeasedIpAllocator(IpPool pool, LongSupplier nanoTime) {
        this.pool = pool;
        this.nanoTime = nanoTime;
    }

    public IpPool pool() {
        return pool;
    }

    /** Whether some endpoint of {@code deployment} has no address yet. */
    public static boolean needsAddresses(GPUDeployment deployment) {
        List<LeasedIp> endpoints = deployment.getSpec().getIpEndpoints();
        return endpoints != null && endpoints.stream().anyMatch(e -> e.getAddress() == null || e.getAddress().isBlank());
    }

    /**
     * The endpoints of {@code deployment} with an address each (those it has are kept), or empty when the pool has
     * too few free: nothing is given then, so a lease never runs with part of its addresses.
     *
     * @param deployments every GPUDeployment the operator watches
     * @param services the operator's Services, in every namespace
     */
    public synchronized Optional<List<LeasedIp>> assign(GPUDeployment deployment, Stream<GPUDeployment> deployments,
            Stream<Service> services) {
        String namespace = deployment.getMetadata().getNamespace();
        long now = nanoTime.getAsLong();
        recent.values().removeIf(g -> now - g.at() > RECENT.toNanos());
        Set<String> taken = new HashSet<>();
        deployments.filter(d -> d.getSpec() != null && d.getSpec().getIpEndpoints() != null).forEach(d -> {
            String holder = d.getMetadata().getNamespace();
            for (LeasedIp ip : d.getSpec().getIpEndpoints()) {
                if (ip.getAddress() == null) {
                    continue;
                }
                // The cache shows what was given: the informer caught up, the deployment itself holds it now.
                Given given = recent.get(ip.getAddress());
                if (given != null && given.namespace().equals(holder)) {
                    recent.remove(ip.getAddress());
                }
                if (!namespace.equals(holder)) {
                    taken.add(ip.getAddress());
                }
            }
        });
        services.filter(s -> !namespace.equals(s.getMetadata().getNamespace()))
                .map(WorkloadObjects::leasedAddress).filter(a -> a != null).forEach(taken::add);
        recent.forEach((address, given) -> {
            if (!given.namespace().equals(namespace)) {
                taken.add(address);
            }
        });
        List<LeasedIp> endpoints = deployment.getSpec().getIpEndpoints();
        endpoints.stream().map(LeasedIp::getAddress).filter(a -> a != null && !a.isBlank()).forEach(taken::add);
        List<String> addresses = pool.addresses();
        List<LeasedIp> out = new ArrayList<>();
        int next = cursor;
        for (LeasedIp endpoint : endpoints) {
            if (endpoint.getAddress() != null && !endpoint.getAddress().isBlank()) {
                out.add(new LeasedIp(endpoint.getName(), endpoint.getAddress()));
                continue;
            }
            String address = null;
            for (int i = 0; i < addresses.size() && address == null; i++) {
                String candidate = addresses.get((next + i) % addresses.size());
                if (!taken.contains(candidate)) {
                    address = candidate;
                    next = (next + i + 1) % addresses.size();
                }
            }
            if (address == null) {
                return Optional.empty();
            }
            taken.add(address);
            out.add(new LeasedIp(endpoint.getName(), address));
        }
        cursor = next;
        out.forEach(e -> recent.put(e.getAddress(), new Given(namespace, now)));
        return Optional.of(out);
    }
}
