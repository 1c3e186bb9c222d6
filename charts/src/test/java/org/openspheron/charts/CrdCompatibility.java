package org.openspheron.charts;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whether a CRD of today still serves, under the same version, every object a released CRD let the API server store.
 * The API server keeps objects in the storage version they were written in and does not rewrite them when a CRD
 * changes: a field removed from the schema is pruned from them on the next read, a changed type or a tightened limit
 * makes every later update of an old object fail validation, and a version no longer served makes them unreadable.
 * Such a change needs a new version (README, "CRD versions and upgrades"); this lists where a change is one.
 *
 * <p>Additive changes pass: a new optional field, a new enum value, a looser limit, a new version beside the old.
 */
final class CrdCompatibility {
    private CrdCompatibility() {
    }

    /** What in {@code current} breaks objects stored under {@code released}; empty when nothing does. */
    static List<String> breaks(JsonNode released, JsonNode current) {
        List<String> out = new ArrayList<>();
        String name = released.at("/metadata/name").asText();
        for (String field : List.of("/spec/group", "/spec/scope", "/spec/names/kind", "/spec/names/plural")) {
            if (!released.at(field).equals(current.at(field))) {
                out.add(name + field + ": " + released.at(field) + " became " + current.at(field));
            }
        }
        long storage = 0;
        for (JsonNode version : current.at("/spec/versions")) {
            storage += version.path("storage").asBoolean() ? 1 : 0;
        }
        if (storage != 1) {
            out.add(name + ": " + storage + " storage versions; the API server needs exactly one");
        }
        for (JsonNode version : released.at("/spec/versions")) {
            String v = version.path("name").asText();
            JsonNode now = null;
            for (JsonNode candidate : current.at("/spec/versions")) {
                if (candidate.path("name").asText().equals(v)) {
                    now = candidate;
                }
            }
            if (now == null || !now.path("served").asBoolean()) {
                out.add(name + " " + v + ": no longer served; objects stored as " + v + " become unreadable");
                continue;
            }
            schema(name + " " + v + " ", version.at("/schema/openAPIV3Schema"), now.at("/schema/openAPIV3Schema"), out);
        }
        return out;
    }

    private static void schema(String at, JsonNode was, JsonNode is, List<String> out) {
        if (is.isMissingNode()) {
            out.add(at + ": removed (stored values are pruned on read)");
            return;
        }
        if (!was.path("type").equals(is.path("type"))) {
            out.add(at + ": type " + was.path("type") + " became " + is.path("type"));
            return;
        }
        if (was.path("x-kubernetes-preserve-unknown-fields").asBoolean()
                && !is.path("x-kubernetes-preserve-unknown-fields").asBoolean()) {
            out.add(at + ": no longer preserves unknown fields (stored ones are pruned)");
        }
        if (was.has("enum")) {
            Set<String> kept = texts(is.path("enum"));
            for (String value : texts(was.path("enum"))) {
                if (is.has("enum") && !kept.contains(value)) {
                    out.add(at + ": enum value " + value + " removed");
                }
            }
        } else if (is.has("enum")) {
            out.add(at + ": now restricted to " + is.path("enum"));
        }
        Set<String> required = texts(is.path("required"));
        required.removeAll(texts(was.path("required")));
        for (String field : required) {
            out.add(at + ": newly required " + field + " (objects stored without it fail their next update)");
        }
        for (String limit : List.of("maxLength", "maximum", "maxItems", "maxProperties")) {
            if (is.has(limit) && (!was.has(limit) || is.path(limit).asDouble() < was.path(limit).asDouble())) {
                out.add(tightened(at, limit, was, is));
            }
        }
        for (String limit : List.of("minLength", "minimum", "minItems", "minProperties")) {
            if (is.has(limit) && (!was.has(limit) || is.path(limit).asDouble() > was.path(limit).asDouble())) {
                out.add(tightened(at, limit, was, is));
            }
        }
        if (is.has("pattern") && !is.path("pattern").equals(was.path("pattern"))) {
            out.add(at + ": pattern " + was.path("pattern") + " became " + is.path("pattern"));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = was.path("properties").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> property = it.next();
            schema(at + "." + property.getKey(), property.getValue(), is.path("properties").path(property.getKey()), out);
        }
        if (was.has("items")) {
            schema(at + "[]", was.path("items"), is.path("items"), out);
        }
        if (was.path("additionalProperties").isObject()) {
            schema(at + "{}", was.path("additionalProperties"), is.path("additionalProperties"), out);
        }
    }

    private static String tightened(String at, String limit, JsonNode was, JsonNode is) {
        return was.has(limit) ? at + ": " + limit + " tightened from " + was.path(limit) + " to " + is.path(limit)
                : at + ": " + limit + " " + is.path(limit) + " added";
    }

    private static Set<String> texts(JsonNode array) {
        Set<String> values = new HashSet<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }
}
