package org.openspheron.manifest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A node of the manifest with its path ({@code services.web.expose[0].port}), so that every check can say which
 * field is wrong. The node is null when the field is absent.
 */
final class Field {
    private final String path;
    private final String key;
    private final YamlNode node;

    Field(String path, YamlNode node) {
        this(path, path, node);
    }

    private Field(String path, String key, YamlNode node) {
        this.path = path;
        this.key = key;
        this.node = node;
    }

    private Field child(String childKey, YamlNode childNode) {
        return new Field(path.isEmpty() ? childKey : path + "." + childKey, childKey, childNode);
    }

    String path() {
        return path;
    }

    /** The mapping key this field was found under. */
    String name() {
        return key;
    }

    /** Absent, or written without a value ({@code key:} or {@code key: null}). */
    boolean isEmpty() {
        return node == null || node instanceof YamlNode.Scalar s && s.isNull();
    }

    boolean isPresent() {
        return !isEmpty();
    }

    boolean isMapping() {
        return node instanceof YamlNode.Mapping;
    }

    boolean isSequence() {
        return node instanceof YamlNode.Sequence;
    }

    ManifestException error(String reason) {
        return new ManifestException(path, reason);
    }

    Field get(String key) {
        YamlNode child = node instanceof YamlNode.Mapping m ? m.entries().get(key) : null;
        if (node != null && !(node instanceof YamlNode.Mapping) && !isEmpty()) {
            throw error("expected a mapping, got " + describe(node));
        }
        return child(key, child);
    }

    Field required(String key, String hint) {
        Field f = get(key);
        if (f.isEmpty()) {
            throw f.error("missing" + (hint == null ? "" : " (" + hint + ")"));
        }
        return f;
    }

    /** The mapping's entries in file order; empty when absent. */
    Map<String, Field> entries() {
        if (isEmpty()) {
            return Map.of();
        }
        if (!(node instanceof YamlNode.Mapping m)) {
            throw error("expected a mapping, got " + describe(node));
        }
        Map<String, Field> out = new LinkedHashMap<>();
        m.entries().forEach((k, v) -> out.put(k, child(k, v)));
        return out;
    }

    /** The sequence's items; empty when absent. */
    List<Field> items() {
        if (isEmpty()) {
            return List.of();
        }
        if (!(node instanceof YamlNode.Sequence s)) {
            throw error("expected a list, got " + describe(node));
        }
        List<Field> out = new ArrayList<>(s.items().size());
        for (int i = 0; i < s.items().size(); i++) {
            out.add(new Field(path + "[" + i + "]", key, s.items().get(i)));
        }
        return out;
    }

    /** Refuses keys other than {@code allowed}: a typo must not silently drop a setting. */
    Field allowOnly(String... allowed) {
        if (!(node instanceof YamlNode.Mapping m)) {
            if (isEmpty()) {
                return this;
            }
            throw error("expected a mapping, got " + describe(node));
        }
        Set<String> known = Set.of(allowed);
        for (String key : m.entries().keySet()) {
            if (!known.contains(key)) {
                throw child(key, m.entries().get(key)).error("unknown field (expected one of: " + String.join(", ", new TreeSet<>(Arrays.asList(allowed))) + ")");
            }
        }
        return this;
    }

    /** The scalar's text whatever its YAML type ({@code 8}, {@code true} and {@code "8"} alike). */
    String text() {
        if (!(node instanceof YamlNode.Scalar s) || s.isNull()) {
            throw node == null || isEmpty() ? error("missing") : error("expected a single value, got " + describe(node));
        }
        return s.text();
    }

    /** The text, or null when absent. */
    String optionalText() {
        return isEmpty() ? null : text();
    }

    /** A non-empty string without surrounding whitespace problems. */
    String nonBlank() {
        String t = text();
        if (t.isBlank()) {
            throw error("is empty");
        }
        return t;
    }

    YamlNode.Scalar.Kind kind() {
        return node instanceof YamlNode.Scalar s ? s.kind() : null;
    }

    /** A whole number in [min, max]; {@code what} completes "N is not a ..." when it is out of range. */
    long integer(long min, long max, String what) {
        String t = text();
        YamlNode.Scalar.Kind k = kind();
        long value;
        try {
            if (k == YamlNode.Scalar.Kind.INT || (k == YamlNode.Scalar.Kind.STRING && t.trim().matches("[-+]?[0-9]{1,18}"))) {
                java.math.BigDecimal n = CanonicalJson.number(t.trim());
                if (n == null || n.toBigInteger().bitLength() > 62) {
                    throw error(t + " is not " + what);
                }
                value = n.longValueExact();
            } else if (k == YamlNode.Scalar.Kind.FLOAT) {
                java.math.BigDecimal n = CanonicalJson.number(t);
                if (n == null || n.stripTrailingZeros().scale() > 0 || n.abs().compareTo(java.math.BigDecimal.valueOf(Long.MAX_VALUE / 2)) > 0) {
                    throw error(t + " is not " + what);
                }
                value = n.longValueExact();
            } else {
                throw error("\"" + t + "\" is not a whole number");
            }
        } catch (ArithmeticException e) {
            throw error(t + " is not " + what);
        }
        if (value < min || value > max) {
            throw error(t + " is not " + what);
        }
        return value;
    }

    boolean bool() {
        String t = text().trim().toLowerCase();
        if (t.equals("true")) {
            return true;
        }
        if (t.equals("false")) {
            return false;
        }
        throw error("\"" + text() + "\" is not true or false");
    }

    boolean bool(boolean absent) {
        return isEmpty() ? absent : bool();
    }

    /** A list of plain values as strings; a null item is refused. */
    List<String> strings() {
        List<String> out = new ArrayList<>();
        for (Field item : items()) {
            if (item.isEmpty()) {
                throw item.error("empty item");
            }
            out.add(item.text());
        }
        return out;
    }

    /** One string or a list of them. */
    List<String> stringOrStrings() {
        if (isEmpty()) {
            return List.of();
        }
        return isSequence() ? strings() : List.of(text());
    }

    private static String describe(YamlNode node) {
        if (node instanceof YamlNode.Mapping) {
            return "a mapping";
        }
        if (node instanceof YamlNode.Sequence) {
            return "a list";
        }
        String text = ((YamlNode.Scalar) node).text();
        return "\"" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "\"";
    }
}
