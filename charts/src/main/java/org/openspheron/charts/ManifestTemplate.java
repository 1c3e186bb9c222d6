package org.openspheron.charts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns one plain manifest into a Helm template by editing it line by line, so that comments and layout survive and
 * rendering with the default values gives the same objects back. A line is edited only at a declared
 * {@link ValuePlace} (found by the document's kind and the field's path, tracked through YAML's block indentation)
 * or in a {@code namespace} field naming the app's namespace (metadata, RBAC subjects), which follows the release.
 */
final class ManifestTemplate {
    private static final Pattern KEY = Pattern.compile("^([A-Za-z0-9_.\\-/]+):(?:\\s+(.*))?$");
    private static final Pattern KIND = Pattern.compile("^kind:\\s*[\"']?([A-Za-z0-9]+)[\"']?\\s*$");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final String source;
    private final String namespace;
    private final List<ValuePlace> places;
    private final Values values;
    private final Set<ValuePlace> matched;

    private record Segment(int column, String name) {
    }

    /** A line's structure: where its key starts, the key, its path and the text after "key:". */
    private record KeyLine(String prefix, String key, String path, String value) {
    }

    ManifestTemplate(String source, String namespace, List<ValuePlace> places, Values values, Set<ValuePlace> matched) {
        this.source = source;
        this.namespace = namespace;
        this.places = places;
        this.values = values;
        this.matched = matched;
    }

    /** The template for {@code text}, the manifest {@link #source} names (for messages and the header). */
    String template(String text) {
        List<String> out = new ArrayList<>();
        out.add("{{- /* Generated from " + source + " by the charts module (ChartGenerator): edit that file, then "
                + "regenerate. */}}");
        List<String> lines = text.lines().toList();
        int start = 0;
        for (int i = 0; i <= lines.size(); i++) {
            if (i == lines.size() || lines.get(i).startsWith("---")) {
                document(lines, start, i, out);
                if (i < lines.size()) {
                    out.add(lines.get(i));
                }
                start = i + 1;
            }
        }
        return String.join("\n", out) + "\n";
    }

    private void document(List<String> lines, int from, int to, List<String> out) {
        String kind = null;
        for (int i = from; i < to; i++) {
            Matcher m = KIND.matcher(lines.get(i));
            if (m.matches()) {
                kind = m.group(1);
                break;
            }
        }
        boolean releaseNamespace = "Namespace".equals(kind) && namesReleaseNamespace(lines, from, to);
        if (releaseNamespace) {
            // Off by default: `helm install --create-namespace` (or a namespace made beforehand) holds the release's
            // own record, which Helm writes before any template is applied.
            out.add("{{- if .Values.namespace.create }}");
        }
        Deque<Segment> stack = new ArrayDeque<>();
        for (int i = from; i < to; i++) {
            String line = lines.get(i);
            int lineNumber = i + 1;
            if (line.contains("{{") || line.contains("}}")) {
                throw new ChartGenerationException(source + ":" + lineNumber + " contains '{{' or '}}', which Helm would "
                        + "read as a template action; the chart generator copies manifests and cannot escape it");
            }
            KeyLine key = keyLine(line, stack);
            if (key == null) {
                out.add(line);
                continue;
            }
            ValuePlace place = placeAt(kind, key.path());
            if (place != null) {
                matched.add(place);
                i = replace(place, key, lines, i, to, out);
            } else if (key.key().equals("namespace") && namespace.equals(unquote(key.value()))
                    || releaseNamespace && key.path().equals("metadata.name")) {
                out.add(key.prefix() + key.key() + ": {{ .Release.Namespace }}");
            } else {
                out.add(line);
            }
        }
        if (releaseNamespace) {
            while (!out.isEmpty() && out.get(out.size() - 1).isBlank()) {
                out.remove(out.size() - 1);
            }
            out.add("{{- end }}");
        }
    }

    private boolean namesReleaseNamespace(List<String> lines, int from, int to) {
        Deque<Segment> stack = new ArrayDeque<>();
        for (int i = from; i < to; i++) {
            KeyLine key = keyLine(lines.get(i), stack);
            if (key != null && key.path().equals("metadata.name") && namespace.equals(unquote(key.value()))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads one line's key and path, updating {@code stack}, the open mappings and list items above it. Handles the
     * block style manifests are written in: keys at growing indentation, list items ("- ") indented under their key
     * or at the same column. Blank lines, comments and lines without a key (list scalars) return null.
     */
    private static KeyLine keyLine(String line, Deque<Segment> stack) {
        String trimmed = line.strip();
        if (trimmed.isEmpty() || trimmed.startsWith("#")) {
            return null;
        }
        int column = indentation(line);
        String rest = line.substring(column);
        while (rest.startsWith("- ") || rest.equals("-")) {
            while (!stack.isEmpty() && stack.peek().column() > column) {
                stack.pop();
            }
            if (!stack.isEmpty() && stack.peek().column() == column && stack.peek().name().equals("[]")) {
                stack.pop();
            }
            stack.push(new Segment(column, "[]"));
            rest = rest.length() > 1 ? rest.substring(2) : "";
            int more = indentation(rest);
            column += 2 + more;
            rest = rest.substring(more);
        }
        Matcher m = KEY.matcher(rest);
        if (!m.matches()) {
            return null;
        }
        while (!stack.isEmpty() && stack.peek().column() >= column) {
            stack.pop();
        }
        StringBuilder path = new StringBuilder();
        for (Iterator<Segment> it = stack.descendingIterator(); it.hasNext(); ) {
            Segment s = it.next();
            if (!s.name().equals("[]") && !path.isEmpty()) {
                path.append('.');
            }
            path.append(s.name());
        }
        if (!path.isEmpty()) {
            path.append('.');
        }
        path.append(m.group(1));
        stack.push(new Segment(column, m.group(1)));
        String value = m.group(2) == null ? "" : m.group(2).strip();
        return new KeyLine(line.substring(0, column), m.group(1), path.toString(), value);
    }

    private ValuePlace placeAt(String kind, String path) {
        for (ValuePlace place : places) {
            if (place.kind().equals(kind) && place.path().equals(path)) {
                return place;
            }
        }
        return null;
    }

    /** Writes the templated field and returns the index of its last source line. */
    private int replace(ValuePlace place, KeyLine key, List<String> lines, int at, int to, List<String> out) {
        String where = source + ":" + (at + 1);
        String field = key.prefix() + key.key() + ":";
        switch (place.form()) {
            case SCALAR -> {
                JsonNode value = scalar(key, where);
                values.put(place.valuesKey(), value, where);
                values.describe(place.valuesKey(), place.comment());
                out.add(field + " {{ .Values." + place.valuesKey() + (value.isTextual() ? " | quote" : "") + " }}");
                return at;
            }
            case IMAGE -> {
                String image = scalar(key, where).asText();
                int slash = image.lastIndexOf('/');
                int colon = image.lastIndexOf(':');
                if (colon <= slash || image.contains("@")) {
                    throw new ChartGenerationException(where + ": the image " + image + " has no tag (or a digest); "
                            + "the chart needs repository:tag");
                }
                String tag = image.substring(colon + 1);
                if (!tag.equals(values.appVersion())) {
                    throw new ChartGenerationException(where + ": the image tag " + tag + " is not the project version "
                            + values.appVersion() + "; the manifests must deploy the release they belong to");
                }
                values.put(place.valuesKey() + ".repository", YAML.getNodeFactory().textNode(image.substring(0, colon)), where);
                values.put(place.valuesKey() + ".tag", YAML.getNodeFactory().textNode(""), where);
                values.describe(place.valuesKey(), place.comment());
                out.add(field + " \"{{ .Values." + place.valuesKey() + ".repository }}:{{ .Values." + place.valuesKey()
                        + ".tag | default .Chart.AppVersion }}\"");
                return at;
            }
            case BLOCK, STRING_MAP -> {
                if (!key.value().isEmpty()) {
                    throw new ChartGenerationException(where + ": " + place + " is declared as a block, but the manifest "
                            + "has a scalar there: " + key.value());
                }
                int keyColumn = key.prefix().length();
                int end = at;
                for (int j = at + 1; j < to; j++) {
                    String line = lines.get(j);
                    if (line.isBlank()) {
                        continue;
                    }
                    if (indentation(line) <= keyColumn) {
                        break;
                    }
                    end = j;
                }
                StringBuilder block = new StringBuilder("block:\n");
                for (int j = at + 1; j <= end; j++) {
                    block.append(lines.get(j)).append('\n');
                }
                JsonNode value = parse(block.toString(), where).path("block");
                if (!value.isObject()) {
                    throw new ChartGenerationException(where + ": " + place + " expects a mapping under " + key.key());
                }
                values.put(place.valuesKey(), value, where);
                values.describe(place.valuesKey(), place.comment());
                String indent = " ".repeat(keyColumn + 2);
                out.add(field);
                if (place.form() == ValuePlace.Form.BLOCK) {
                    out.add(indent + "{{- toYaml .Values." + place.valuesKey() + " | nindent " + (keyColumn + 2) + " }}");
                } else {
                    out.add("{{- range $key, $value := .Values." + place.valuesKey() + " }}");
                    out.add(indent + "{{ $key }}: {{ $value | toString | quote }}");
                    out.add("{{- end }}");
                }
                return end;
            }
            default -> throw new IllegalStateException(place.form().toString());
        }
    }

    private static JsonNode scalar(KeyLine key, String where) {
        JsonNode value = parse("value: " + key.value(), where).path("value");
        if (!value.isValueNode()) {
            throw new ChartGenerationException(where + ": expected a scalar for " + key.path() + ", found: " + key.value());
        }
        return value;
    }

    private static JsonNode parse(String yaml, String where) {
        try {
            return YAML.readTree(yaml);
        } catch (IOException e) {
            throw new ChartGenerationException(where + ": not YAML the generator can read: " + e.getMessage());
        }
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                || value.startsWith("'") && value.endsWith("'"))) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }

    private static int indentation(String line) {
        int n = 0;
        while (n < line.length() && line.charAt(n) == ' ') {
            n++;
        }
        return n;
    }
}
