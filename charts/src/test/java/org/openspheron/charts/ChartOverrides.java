package org.openspheron.charts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.TemplateCommand;
import java.util.function.Consumer;

/**
 * One set of non-default values for a chart, and what a provider should get from them, written as edits on the plain
 * manifests' object trees: an oracle that does not share the generator's line-by-line templating, so a value that
 * lands in the wrong field, or in none, shows up as a difference.
 */
final class ChartOverrides {
    static final String IMAGE_REPOSITORY = "registry.example.org/spheron/app";
    static final String IMAGE_TAG = "9.9.9";
    static final String RPC_URL = "https://rpc.mainnet.example.net";
    static final String KEY_SECRET = "my-operator-key";
    static final String JWT_SECRET = "my-peer-jwt";
    static final String MEMORY_LIMIT = "3Gi";

    private ChartOverrides() {
    }

    static Consumer<TemplateCommand> values(ChartSource chart) {
        return t -> {
            t.set("namespace.create", "true");
            t.set("image.repository", IMAGE_REPOSITORY);
            t.set("image.tag", IMAGE_TAG);
            t.set("image.pullPolicy", "Always");
            t.set("config.SPHERON_CHAIN_RPC_URL", RPC_URL);
            // --set reads 12 as a number; a ConfigMap takes only strings, so the chart must quote it.
            t.set("config.SPHERON_CHAIN_CONFIRMATIONS", 12);
            t.set("keySecret.name", KEY_SECRET);
            t.set("resources.limits.memory", MEMORY_LIMIT);
            if (chart == ChartSource.PROVIDER_OPERATOR) {
                t.set("gatewayService.type", "NodePort");
            }
            if (chart == ChartSource.MATCHMAKER) {
                t.set("jwtSecret.name", JWT_SECRET);
            }
        };
    }

    /** Edits {@code doc}, an object of the chart's plain manifests, into what {@link #values} should render. */
    static void applyTo(ObjectNode doc, ChartSource chart, String namespace) {
        String kind = doc.path("kind").asText();
        ObjectNode metadata = (ObjectNode) doc.path("metadata");
        if (chart.namespace().equals(metadata.path("namespace").asText(null))) {
            metadata.put("namespace", namespace);
        }
        if (kind.equals("Namespace") && chart.namespace().equals(metadata.path("name").asText())) {
            metadata.put("name", namespace);
        }
        for (JsonNode subject : doc.path("subjects")) {
            if (chart.namespace().equals(subject.path("namespace").asText(null))) {
                ((ObjectNode) subject).put("namespace", namespace);
            }
        }
        switch (kind) {
            case "Deployment" -> {
                for (JsonNode container : doc.at("/spec/template/spec/containers")) {
                    ObjectNode c = (ObjectNode) container;
                    c.put("image", IMAGE_REPOSITORY + ":" + IMAGE_TAG);
                    c.put("imagePullPolicy", "Always");
                    ((ObjectNode) c.at("/resources/limits")).put("memory", MEMORY_LIMIT);
                    for (JsonNode env : c.path("env")) {
                        JsonNode ref = env.at("/valueFrom/secretKeyRef");
                        if (ref.isObject()) {
                            ((ObjectNode) ref).put("name", KEY_SECRET);
                        }
                    }
                }
                for (JsonNode volume : doc.at("/spec/template/spec/volumes")) {
                    if (volume.path("secret").isObject()) {
                        ((ObjectNode) volume.path("secret")).put("secretName", JWT_SECRET);
                    }
                }
            }
            case "ConfigMap" -> {
                ObjectNode data = (ObjectNode) doc.path("data");
                data.put("SPHERON_CHAIN_RPC_URL", RPC_URL);
                data.put("SPHERON_CHAIN_CONFIRMATIONS", "12");
            }
            case "Service" -> {
                // Only where the manifest says a type: the gateway's LoadBalancer, not the ClusterIP metrics Service.
                if (chart == ChartSource.PROVIDER_OPERATOR && doc.at("/spec/type").isTextual()) {
                    ((ObjectNode) doc.path("spec")).put("type", "NodePort");
                }
            }
            default -> {
            }
        }
    }
}
