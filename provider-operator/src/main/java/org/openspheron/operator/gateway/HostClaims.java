package org.openspheron.operator.gateway;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.openspheron.operator.deployment.GPUDeployment;
import org.openspheron.operator.deployment.WorkloadObjects;

/**
 * Which host names are taken, so that one lease cannot take over another tenant's (or the provider's own) host: an
 * ingress controller sends a host's requests to whichever Ingress it picks among those naming it. A host is taken
 * when an Ingress outside the lease's namespace names it, whoever made it, or when another lease's GPUDeployment
 * accepts it (the gateway's acceptance, before the reconciler has made the Ingress). Read from two informers over
 * all namespaces, started on first use, so a manifest costs no list of the cluster.
 */
final class HostClaims implements AutoCloseable {
    private final KubernetesClient client;
    private SharedIndexInformer<Ingress> ingresses;
    private SharedIndexInformer<GPUDeployment> deployments;

    HostClaims(KubernetesClient client) {
        this.client = client;
    }

    /** Refuses the first host of {@code workload} that is taken outside its namespace, naming its manifest field. */
    void refuseTaken(LeaseWorkload workload) {
        String namespace = workload.deployment().getMetadata().getNamespace();
        IngressHosts.forEachHost(workload.deployment(), (host, field) -> {
            if (takenOutside(namespace, host)) {
                // Which lease or namespace holds it stays unsaid: that is another tenant's business.
                throw GatewayError.hostTaken(field + ": host " + host + " is already served on this provider", field);
            }
        });
    }

    private synchronized boolean takenOutside(String namespace, String host) {
        start();
        boolean byIngress = ingresses.getStore().list().stream()
                .filter(i -> !namespace.equals(i.getMetadata().getNamespace()))
                .anyMatch(i -> hosts(i).anyMatch(host::equalsIgnoreCase));
        return byIngress || deployments.getStore().list().stream()
                .filter(d -> !namespace.equals(d.getMetadata().getNamespace()))
                .anyMatch(d -> {
                    boolean[] found = {false};
                    IngressHosts.forEachHost(d, (h, f) -> found[0] |= host.equalsIgnoreCase(h));
                    return found[0];
                });
    }

    private static Stream<String> hosts(Ingress ingress) {
        if (ingress.getSpec() == null) {
            return Stream.empty();
        }
        Stream<String> rules = WorkloadObjects.ruleHosts(ingress).stream();
        Stream<String> tls = Optional.ofNullable(ingress.getSpec().getTls()).orElse(List.of()).stream()
                .flatMap(t -> Optional.ofNullable(t.getHosts()).orElse(List.of()).stream());
        return Stream.concat(rules, tls).filter(Objects::nonNull);
    }

    private void start() {
        if (ingresses == null) {
            ingresses = client.network().v1().ingresses().inAnyNamespace().inform();
        }
        if (deployments == null) {
            deployments = client.resources(GPUDeployment.class).inAnyNamespace().inform();
        }
    }

    @Override
    public synchronized void close() {
        if (ingresses != null) {
            ingresses.close();
        }
        if (deployments != null) {
            deployments.close();
        }
    }
}
