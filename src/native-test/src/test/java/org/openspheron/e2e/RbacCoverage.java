package org.openspheron.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.openspheron.devnet.DevCluster.ApiRequest;

/**
 * Checks k8s/provider-operator/20-rbac.yaml against the requests the provider operator really made, as the API server's
 * audit log shows them: the operator runs with its own ServiceAccount token, so the real RBAC authorizer has already
 * judged every call (a 403 is a finding), and every grant must be used or justified (least privilege).
 */
final class RbacCoverage {
    static final Path ROLE = E2eSystem.ROOT.resolve("k8s/provider-operator/20-rbac.yaml");

    /**
     * Grants the flow does not exercise, and why the operator still needs them. Anything else unused is a finding.
     */
    static final Map<String, String> JUSTIFIED = new TreeMap<>(Map.of(
            "openspheron.org gpudeployments/finalizers update", "blockOwnerDeletion on owned objects, where the "
                    + "OwnerReferencesPermissionEnforcement admission plugin runs",
            "openspheron.org gpudeployments/status patch", "JOSDK's status patch, as for spheronleases/status",
            "core secrets get", "reading the gateway's identity Secret at start, in a cluster (the local run keeps the "
                    + "identity in a directory; the Role grants it on that one name)",
            "core secrets update", "replacing the gateway's identity Secret once its certificate nears its end (the "
                    + "Role grants it on that one name)",
            "core events get", "counting a repeated event: a flow without a repeated failure reads none",
            "core events patch", "counting a repeated event: a flow without a repeated failure writes none",
            "coordination.k8s.io leases update", "JOSDK refuses to start leader election unless a SelfSubjectRulesReview "
                    + "shows get, create and update on Leases; fabric8's elector itself renews with a patch"));

    /**
     * Objects the operator owns: it creates them, re-applies them when they drift or a manifest is re-sent (update,
     * patch), reads them (get, list, watch) and deletes them on teardown. One run of the flow takes one path of each
     * lifecycle, so every lifecycle verb on these is accepted unused; grants on anything else must be used.
     */
    static final Set<String> OWNED = Set.of("apps deployments", "apps statefulsets", "core namespaces",
            "core resourcequotas", "core services", "networking.k8s.io networkpolicies",
            "networking.k8s.io ingresses",
            "openspheron.org spheronleases", "openspheron.org gpudeployments");

    record Permission(String group, String resource, String verb) implements Comparable<Permission> {
        @Override
        public int compareTo(Permission o) {
            return toString().compareTo(o.toString());
        }

        @Override
        public String toString() {
            return (group.isEmpty() ? "core" : group) + " " + resource + " " + verb;
        }
    }

    private RbacCoverage() {
    }

    /** The user the provider operator's requests carry: its ServiceAccount from k8s/provider-operator/. */
    static final String OPERATOR = "system:serviceaccount:spheron-system:spheron-provider-operator";

    /**
     * Asserts the operator's {@code requests} were all allowed and the role grants nothing unjustified; returns the
     * permissions they used.
     */
    static Set<Permission> assertCovered(Collection<ApiRequest> requests) {
        Set<Permission> used = new TreeSet<>();
        Set<String> refused = new TreeSet<>();
        for (ApiRequest request : requests) {
            if (!request.user().equals(OPERATOR)) {
                continue;
            }
            Permission permission = new Permission(request.apiGroup(), request.rbacResource(), request.verb());
            used.add(permission);
            if (request.code() == 403) {
                refused.add(permission + " on " + request.namespace() + "/" + request.name());
            }
        }
        Set<Permission> granted = granted(ROLE);
        Set<Permission> missing = new TreeSet<>(used);
        missing.removeAll(granted);
        Set<Permission> unused = new TreeSet<>(granted);
        unused.removeAll(used);
        System.out.println("RBAC: the provider operator used " + used.size() + " permissions: " + used);
        System.out.println("RBAC: granted but not used in this flow: " + unused);
        assertThat(used).as("the operator made no API calls that were audited").isNotEmpty();
        assertThat(refused).as("calls the API server refused the operator's ServiceAccount (403)").isEmpty();
        assertThat(missing).as("calls the ClusterRole in %s does not allow", ROLE.getFileName()).isEmpty();
        Set<String> unjustified = new TreeSet<>();
        for (Permission p : unused) {
            if (!JUSTIFIED.containsKey(p.toString()) && !OWNED.contains(p.group().isEmpty() ? "core " + p.resource()
                    : p.group() + " " + p.resource())) {
                unjustified.add(p.toString());
            }
        }
        assertThat(unjustified).as("grants neither used nor justified (least privilege: remove them from the role)").isEmpty();
        return used;
    }

    /** Every (group, resource, verb) the ClusterRole(s) in {@code file} grant. */
    static Set<Permission> granted(Path file) {
        Set<Permission> granted = new TreeSet<>();
        try {
            ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
            YAMLParser parser = new YAMLFactory().createParser(file.toFile());
            for (JsonNode doc : yaml.readValues(parser, JsonNode.class).readAll()) {
                if (!"ClusterRole".equals(doc.path("kind").asText()) && !"Role".equals(doc.path("kind").asText())) {
                    continue;
                }
                for (JsonNode rule : doc.path("rules")) {
                    for (JsonNode g : rule.path("apiGroups")) {
                        for (JsonNode r : rule.path("resources")) {
                            for (JsonNode v : rule.path("verbs")) {
                                granted.add(new Permission(g.asText(), r.asText(), v.asText()));
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return granted;
    }
}
