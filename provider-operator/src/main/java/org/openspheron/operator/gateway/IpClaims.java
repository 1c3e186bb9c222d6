package org.openspheron.operator.gateway;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.openspheron.operator.config.IpPool;
import org.openspheron.operator.deployment.GPUDeployment;
import org.openspheron.operator.deployment.LeasedIp;

/**
 * Gives a lease's leased IP endpoints their addresses from the provider's pool ({@code spheron.operator.ip-pool}):
 * an address is taken while a GPUDeployment of another namespace lists it, so it returns to the pool when the lease's
 * namespace (and its GPUDeployment) is gone. A re-sent manifest keeps the addresses its lease already has. Reads an
 * informer over all namespaces; an address given in the last few minutes counts as taken too, so the informer's lag
 * never gives one address twice from this gateway (two gateways at the same instant are caught by the reconciler).
 */
final class IpClaims implements AutoCloseable {
    /** Longer than any informer lag: by then the GPUDeployment that holds the address is in the cache. */
    private static final Duration RECENT = Duration.ofMinutes(2);

    private final KubernetesClient client;
    private final IpPool pool;
    private final LongSupplier nanoTime;
    private final Map<String, Given> recent = new HashMap<>();
    private SharedIndexInformer<GPUDeployment> deployments;

    private record Given(String namespace, long at) {
    }

    IpClaims(KubernetesClient client, IpPool pool) {
        this(client, pool, System::nanoTime);
    }

    IpClaims(KubernetesClient client, IpPool pool, LongSupplier nanoTime) {
        this.client = client;
        this.pool = pool;
        this.nanoTime = nanoTime;
    }

    /**
     * Sets the address of every endpoint of {@code workload}'s GPUDeployment.
     *
     * @throws GatewayError 400 when the provider leases no addresses, 503 (retry later) when none is free
     */
    synchronized void assign(LeaseWorkload workload) {
        GPUDeployment deployment = workload.deployment();
        List<LeasedIp> endpoints = deployment.getSpec().getIpEndpoints();
        if (endpoints == null || endpoints.isEmpty()) {
            return;
        }
        if (pool.size() == 0) {
            throw GatewayError.invalidManifest("endpoints: the manifest asks for " + endpoints.size() + " leased IP"
                    + (endpoints.size() == 1 ? "" : "s") + ", and this provider leases none", "endpoints");
        }
        String namespace = deployment.getMetadata().getNamespace();
        start();
        long now = nanoTime.getAsLong();
        recent.values().removeIf(g -> now - g.at() > RECENT.toNanos());
        Map<String, String> own = new HashMap<>();
        Set<String> taken = new HashSet<>();
        for (GPUDeployment other : deployments.getStore().list()) {
            List<LeasedIp> held = other.getSpec() == null || other.getSpec().getIpEndpoints() == null
                    ? List.of() : other.getSpec().getIpEndpoints();
            for (LeasedIp ip : held) {
                if (namespace.equals(other.getMetadata().getNamespace())) {
                    own.put(ip.getName(), ip.getAddress());
                } else {
                    taken.add(ip.getAddress());
                }
            }
        }
        recent.forEach((address, given) -> {
            if (!given.namespace().equals(namespace)) {
                taken.add(address);
            }
        });
        List<String> chosen = new java.util.ArrayList<>();
        for (LeasedIp endpoint : endpoints) {
            String address = own.get(endpoint.getName());
            if (address == null || !pool.contains(address) || taken.contains(address) || chosen.contains(address)) {
                address = pool.addresses().stream().filter(a -> !taken.contains(a) && !chosen.contains(a)
                        && !own.containsValue(a)).findFirst().orElse(null);
            }
            if (address == null) {
                throw GatewayError.retryLater("LeasedIpsExhausted", "no address of this provider's IP pool is free for"
                        + " endpoint " + endpoint.getName() + "; one frees when another lease ends", Duration.ofSeconds(30));
            }
            chosen.add(address);
        }
        // Only once every endpoint has one: a refusal leaves the workload and the recent set as they were.
        for (int i = 0; i < endpoints.size(); i++) {
            endpoints.get(i).setAddress(chosen.get(i));
            recent.put(chosen.get(i), new Given(namespace, now));
        }
    }

    private void start() {
        if (deployments == null) {
            deployments = client.resources(GPUDeployment.class).inAnyNamespace().inform();
        }
    }

    @Override
    public synchronized void close() {
        if (deployments != null) {
            deployments.close();
        }
    }
}
