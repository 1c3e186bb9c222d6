package org.openspheron.devnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * fabric8's CRUD dispatcher plus the API discovery documents kubectl reads before anything else ({@code /api},
 * {@code /apis}, {@code /api/v1}, {@code /apis/GROUP/VERSION}, {@code /version}): the built-in kinds the project's
 * manifests use and every CustomResourceDefinition stored so far. Without them kubectl maps no kind to a resource.
 */
final class DiscoveryDispatcher extends KubernetesCrudDispatcher {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Built-in resources: group/version → {plural: "Kind namespaced verbs..."}. */
    private static final Map<String, Map<String, String>> BUILT_IN = new LinkedHashMap<>();

    static {
        builtIn("v1", "namespaces Namespace false", "nodes Node false", "pods Pod true", "pods/log Pod true",
                "services Service true", "secrets Secret true", "configmaps ConfigMap true",
                "serviceaccounts ServiceAccount true", "persistentvolumeclaims PersistentVolumeClaim true",
                "resourcequotas ResourceQuota true", "events Event true", "endpoints Endpoints true",
                "limitranges LimitRange true");
        builtIn("apps/v1", "deployments Deployment true", "statefulsets StatefulSet true", "daemonsets DaemonSet true",
                "replicasets ReplicaSet true");
        builtIn("rbac.authorization.k8s.io/v1", "clusterroles ClusterRole false", "clusterrolebindings ClusterRoleBinding false",
                "roles Role true", "rolebindings RoleBinding true");
        builtIn("networking.k8s.io/v1", "networkpolicies NetworkPolicy true", "ingresses Ingress true");
        builtIn("policy/v1", "poddisruptionbudgets PodDisruptionBudget true");
        builtIn("apiextensions.k8s.io/v1", "customresourcedefinitions CustomResourceDefinition false");
        builtIn("events.k8s.io/v1", "events Event true");
        builtIn("coordination.k8s.io/v1", "leases Lease true");
        builtIn("node.k8s.io/v1", "runtimeclasses RuntimeClass false");
        builtIn("scheduling.k8s.io/v1", "priorityclasses PriorityClass false");
    }

    private static void builtIn(String groupVersion, String... resources) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String r : resources) {
            String[] parts = r.split(" ");
            map.put(parts[0], parts[1] + " " + parts[2]);
        }
        BUILT_IN.put(groupVersion, map);
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        if ("GET".equalsIgnoreCase(request.getMethod())) {
            String path = request.getPath();
            int q = path.indexOf('?');
            if (q >= 0) {
                path = path.substring(0, q);
            }
            if (path.endsWith("/") && path.length() > 1) {
                path = path.substring(0, path.length() - 1);
            }
            JsonNode document = discovery(path);
            if (document != null) {
                return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                        .setBody(document.toString());
            }
        }
        return super.dispatch(request);
    }

    private JsonNode discovery(String path) {
        if (path.equals("/version")) {
            return JSON.createObjectNode().put("major", "1").put("minor", "32").put("gitVersion", "v1.32.0-devcluster")
                    .put("platform", "linux/amd64");
        }
        if (path.equals("/api")) {
            ObjectNode versions = JSON.createObjectNode().put("kind", "APIVersions");
            versions.putArray("versions").add("v1");
            versions.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0")
                    .put("serverAddress", "127.0.0.1");
            return versions;
        }
        Map<String, Map<String, String>> all = allResources();
        if (path.equals("/apis")) {
            ObjectNode list = JSON.createObjectNode().put("kind", "APIGroupList").put("apiVersion", "v1");
            ArrayNode groups = list.putArray("groups");
            Map<String, List<String>> byGroup = new LinkedHashMap<>();
            all.keySet().stream().filter(gv -> gv.contains("/")).forEach(gv -> byGroup
                    .computeIfAbsent(gv.substring(0, gv.indexOf('/')), g -> new java.util.ArrayList<>()).add(gv));
            byGroup.forEach((group, gvs) -> {
                ObjectNode g = groups.addObject().put("name", group);
                ArrayNode versions = g.putArray("versions");
                gvs.forEach(gv -> versions.addObject().put("groupVersion", gv).put("version", gv.substring(gv.indexOf('/') + 1)));
                g.putObject("preferredVersion").put("groupVersion", gvs.get(0)).put("version", gvs.get(0).substring(gvs.get(0).indexOf('/') + 1));
            });
            return list;
        }
        String groupVersion = path.equals("/api/v1") ? "v1"
                : path.matches("/apis/[^/]+/[^/]+") ? path.substring("/apis/".length()) : null;
        if (groupVersion == null || !all.containsKey(groupVersion)) {
            return null;
        }
        ObjectNode list = JSON.createObjectNode().put("kind", "APIResourceList").put("apiVersion", "v1")
                .put("groupVersion", groupVersion);
        ArrayNode resources = list.putArray("resources");
        all.get(groupVersion).forEach((plural, kindAndScope) -> {
            String[] parts = kindAndScope.split(" ");
            ObjectNode r = resources.addObject().put("name", plural).put("singularName", "").put("kind", parts[0])
                    .put("namespaced", Boolean.parseBoolean(parts[1]));
            ArrayNode verbs = r.putArray("verbs");
            List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch").forEach(verbs::add);
        });
        return list;
    }

    /** The built-in resources plus those of every stored CRD (read from this dispatcher's own store, not over HTTP). */
    private Map<String, Map<String, String>> allResources() {
        Map<String, Map<String, String>> all = new LinkedHashMap<>();
        BUILT_IN.forEach((gv, r) -> all.put(gv, new LinkedHashMap<>(r)));
        try {
            MockResponse crds = handleGet("/apis/apiextensions.k8s.io/v1/customresourcedefinitions");
            JsonNode items = JSON.readTree(crds.getBody().readUtf8()).path("items");
            for (JsonNode crd : items) {
                JsonNode spec = crd.path("spec");
                boolean namespaced = "Namespaced".equals(spec.path("scope").asText());
                for (JsonNode version : spec.path("versions")) {
                    String gv = spec.path("group").asText() + "/" + version.path("name").asText();
                    Map<String, String> resources = all.computeIfAbsent(gv, k -> new LinkedHashMap<>());
                    String kind = spec.path("names").path("kind").asText();
                    resources.put(spec.path("names").path("plural").asText(), kind + " " + namespaced);
                    if (version.path("subresources").has("status")) {
                        resources.put(spec.path("names").path("plural").asText() + "/status", kind + " " + namespaced);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // no CRDs readable: discovery still lists the built-in kinds
        }
        return all;
    }
}
