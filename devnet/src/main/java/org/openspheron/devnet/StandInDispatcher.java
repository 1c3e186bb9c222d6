package org.openspheron.devnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * fabric8's CRUD dispatcher plus what it does not serve:
 * <ul>
 * <li>the API discovery documents kubectl reads before anything else ({@code /api}, {@code /apis}, {@code /api/v1},
 * {@code /apis/GROUP/VERSION}, {@code /version}): the built-in kinds the project's manifests use and every
 * CustomResourceDefinition stored so far. Without them kubectl maps no kind to a resource;</li>
 * <li>{@code pods/log}, from what the simulated containers wrote ({@link ContainerOutput}), with the API server's
 * answers for a missing pod, a container that is not running and an ambiguous or unknown container. The CRUD
 * dispatcher would answer the pod's JSON instead.</li>
 * </ul>
 */
final class StandInDispatcher extends KubernetesCrudDispatcher {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern POD_LOG = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/]+)/log");

    private final ContainerOutput output;

    StandInDispatcher(ContainerOutput output) {
        this.output = output;
    }

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
            Matcher log = POD_LOG.matcher(path);
            if (log.matches()) {
                return podLog(log.group(1), log.group(2), query(request.getPath()));
            }
            JsonNode document = discovery(path);
            if (document != null) {
                return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                        .setBody(document.toString());
            }
        }
        return super.dispatch(request);
    }

    /** What {@code GET .../pods/NAME/log} answers: plain text, or a Status as the real API server sends it. */
    private MockResponse podLog(String namespace, String name, Map<String, String> query) {
        JsonNode pod;
        try {
            MockResponse stored = handleGet("/api/v1/namespaces/" + namespace + "/pods/" + name);
            if (stored.code() == 404) {
                return status(404, "NotFound", "pods \"" + name + "\" not found");
            }
            pod = JSON.readTree(stored.getBody().readUtf8());
        } catch (IOException e) {
            return status(500, "InternalError", "cannot read pod " + name + ": " + e.getMessage());
        }
        List<String> containers = new java.util.ArrayList<>();
        pod.path("spec").path("containers").forEach(c -> containers.add(c.path("name").asText()));
        String container = query.get("container");
        if (container == null) {
            if (containers.size() != 1) {
                return status(400, "BadRequest", "a container name must be specified for pod " + name
                        + ", choose one of: " + containers);
            }
            container = containers.get(0);
        } else if (!containers.contains(container)) {
            return status(400, "BadRequest", "container " + container + " is not valid for pod " + name);
        }
        for (JsonNode status : pod.path("status").path("containerStatuses")) {
            JsonNode waiting = status.path("state").path("waiting");
            if (container.equals(status.path("name").asText()) && !waiting.isMissingNode()) {
                return status(400, "BadRequest", "container \"" + container + "\" in pod \"" + name
                        + "\" is waiting to start: " + waiting.path("reason").asText("ContainerCreating"));
            }
        }
        Integer tail = query.containsKey("tailLines") ? Integer.valueOf(query.get("tailLines")) : null;
        StringBuilder body = new StringBuilder();
        output.read(pod.path("metadata").path("uid").asText(), container, tail).forEach(l -> body.append(l).append('\n'));
        return new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/plain").setBody(body.toString());
    }

    private static MockResponse status(int code, String reason, String message) {
        ObjectNode status = JSON.createObjectNode().put("kind", "Status").put("apiVersion", "v1")
                .put("status", "Failure").put("message", message).put("reason", reason).put("code", code);
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
                .setBody(status.toString());
    }

    private static Map<String, String> query(String path) {
        Map<String, String> params = new LinkedHashMap<>();
        int q = path.indexOf('?');
        if (q < 0) {
            return params;
        }
        for (String pair : path.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return params;
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
