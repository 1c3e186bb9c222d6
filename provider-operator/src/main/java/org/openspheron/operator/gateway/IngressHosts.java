package org.openspheron.operator.gateway;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.openspheron.operator.deployment.ExposedPort;
import org.openspheron.operator.deployment.GPUDeployment;
import org.openspheron.operator.deployment.WorkloadService;

/**
 * The rules a tenant's {@code accept} hosts meet before they become Ingress rules. The parser accepts what Akash's
 * SDL does, wildcards included; a provider's ingress controller serves every lease from one address, so a host is
 * a claim on traffic meant for whoever owns the name, and is held to more:
 * <ul>
 * <li>a DNS-1123 subdomain (what the Ingress API accepts), lower case, at most 253 characters;</li>
 * <li>no wildcard: {@code *.example.com} would take every name under a domain, including ones other tenants serve,
 * and cert-manager's HTTP-01 challenge cannot issue a certificate for it;</li>
 * <li>at least two labels and a last label that is not all digits: a single label is no public name (it could shadow
 * a cluster-internal one) and an IP address is not a host the Ingress API takes;</li>
 * <li>once per manifest: two services of one lease cannot both receive a host's requests.</li>
 * </ul>
 * Upper-case letters are lowered (DNS ignores case). Each refusal names the manifest field,
 * {@code services.<service>.expose[i].accept[j]}.
 */
final class IngressHosts {
    private static final int MAX_HOST = 253;
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");

    private IngressHosts() {
    }

    /** {@code host} as it goes into an Ingress, or a refusal naming {@code field}. */
    static String valid(String host, String field) {
        String lower = host.toLowerCase(Locale.ROOT);
        if (lower.startsWith("*.")) {
            throw GatewayError.invalidManifest(field + ": \"" + host + "\" is a wildcard; this provider routes named hosts"
                    + " only (a wildcard would take names other tenants serve)", field);
        }
        String[] labels = lower.split("\\.", -1);
        boolean dns = lower.length() <= MAX_HOST && labels.length >= 2
                && java.util.Arrays.stream(labels).allMatch(l -> LABEL.matcher(l).matches())
                && !DIGITS.matcher(labels[labels.length - 1]).matches();
        if (!dns) {
            throw GatewayError.invalidManifest(field + ": \"" + host + "\" is not a public DNS name (labels of a-z, 0-9"
                    + " and '-', at least two, at most 253 characters, not an IP address)", field);
        }
        return lower;
    }

    /** Refuses a host two ports of the manifest accept. */
    static void refuseRepeats(List<WorkloadService> services) {
        Map<String, String> seen = new HashMap<>();
        forEachHost(services, (host, field) -> {
            String first = seen.putIfAbsent(host, field);
            if (first != null) {
                throw GatewayError.invalidManifest(field + ": host " + host + " is already accepted by " + first, field);
            }
        });
    }

    /** Calls {@code action} with every host the deployment's ports accept and its manifest field. */
    static void forEachHost(GPUDeployment deployment, HostAction action) {
        forEachHost(deployment.getSpec().getServices(), action);
    }

    private static void forEachHost(List<WorkloadService> services, HostAction action) {
        for (WorkloadService service : services) {
            // One ExposedPort per manifest expose entry, in order (ManifestDeployment), and hosts in accept's order.
            for (int i = 0; i < service.getPorts().size(); i++) {
                ExposedPort port = service.getPorts().get(i);
                List<String> hosts = port.getHosts() == null ? List.of() : port.getHosts();
                for (int j = 0; j < hosts.size(); j++) {
                    action.accept(hosts.get(j), field(service.getName(), i, j));
                }
            }
        }
    }

    static String field(String service, int expose, int accept) {
        return "services." + service + ".expose[" + expose + "].accept[" + accept + "]";
    }

    @FunctionalInterface
    interface HostAction {
        void accept(String host, String field);
    }
}
