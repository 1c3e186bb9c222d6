package org.openspheron.charts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A chart's values.yaml, collected from the defaults found at the declared places, in declaration order. Strings
 * are always written double-quoted (JSON's escaping is valid YAML), so "1" stays a string and 2.50 keeps its zero.
 */
final class Values {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_.\\-/]+");

    private final String appVersion;
    private final Map<String, Object> root = new LinkedHashMap<>();
    private final Map<String, String> comments = new LinkedHashMap<>();
    private final Map<String, String> origins = new LinkedHashMap<>();

    Values(String appVersion) {
        this.appVersion = appVersion;
    }

    String appVersion() {
        return appVersion;
    }

    /** Sets the default of {@code dottedKey}; the same key found at two places must have the same default there. */
    @SuppressWarnings("unchecked")
    void put(String dottedKey, JsonNode value, String where) {
        String[] parts = dottedKey.split("\\.");
        Map<String, Object> map = root;
        for (int i = 0; i < parts.length - 1; i++) {
            Object child = map.computeIfAbsent(parts[i], k -> new LinkedHashMap<String, Object>());
            if (!(child instanceof Map)) {
                throw new ChartGenerationException(where + ": value " + dottedKey + " nests under " + parts[i]
                        + ", which is already a plain value");
            }
            map = (Map<String, Object>) child;
        }
        Object existing = map.get(parts[parts.length - 1]);
        if (existing != null && !existing.equals(value)) {
            throw new ChartGenerationException(where + ": value " + dottedKey + " defaults to " + value + " here but to "
                    + existing + " at " + origins.get(dottedKey) + "; one value cannot hold both");
        }
        map.put(parts[parts.length - 1], value);
        origins.putIfAbsent(dottedKey, where);
    }

    /** The comment written in values.yaml above the top-level key that holds {@code dottedKey}. */
    void describe(String dottedKey, String comment) {
        if (comment != null) {
            comments.putIfAbsent(dottedKey.split("\\.")[0], comment);
        }
    }

    String yaml(String header) {
        StringBuilder out = new StringBuilder(header);
        emitMap(out, "", "", root);
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    private void emitMap(StringBuilder out, String indent, String prefix, Map<String, Object> map) {
        boolean first = true;
        for (Map.Entry<String, Object> e : map.entrySet()) {
            String path = prefix + e.getKey();
            String comment = comments.get(path);
            if (comment != null) {
                if (!first || indent.isEmpty()) {
                    out.append('\n');
                }
                for (String line : wrap(comment, 110 - indent.length())) {
                    out.append(indent).append("# ").append(line).append('\n');
                }
            }
            first = false;
            out.append(indent).append(key(e.getKey())).append(':');
            if (e.getValue() instanceof Map<?, ?> child) {
                out.append('\n');
                emitMap(out, indent + "  ", path + ".", (Map<String, Object>) child);
            } else {
                emitNode(out, indent, (JsonNode) e.getValue());
            }
        }
    }

    private void emitNode(StringBuilder out, String indent, JsonNode node) {
        if (node.isObject() && node.size() > 0) {
            out.append('\n');
            for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                out.append(indent).append("  ").append(key(field.getKey())).append(':');
                emitNode(out, indent + "  ", field.getValue());
            }
        } else {
            // Scalars, and lists or empty maps written as JSON, which is YAML too.
            out.append(' ').append(json(node)).append('\n');
        }
    }

    /** {@code text} as a double-quoted YAML string. */
    static String quoted(String text) {
        return json(JSON.getNodeFactory().textNode(text));
    }

    private static String key(String key) {
        return PLAIN_KEY.matcher(key).matches() ? key : json(JSON.getNodeFactory().textNode(key));
    }

    private static String json(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static java.util.List<String> wrap(String text, int width) {
        java.util.List<String> lines = new java.util.ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        lines.add(line.toString());
        return lines;
    }
}
