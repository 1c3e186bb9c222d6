package org.openspheron.manifest;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.common.Anchor;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.CollectionStartEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.resolver.ScalarResolver;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Builds a {@link YamlNode} tree from SnakeYAML Engine's event stream, without its composer or constructors: no
 * Java types are ever instantiated from tags, nesting is bounded by an explicit stack (no recursion to overflow),
 * and aliases are counted by the size they expand to, which stops "billion laughs" documents long before they cost
 * memory. Duplicate keys, merge keys, custom tags and multi-document streams are refused.
 */
final class YamlTreeReader {
    static final int MAX_DEPTH = 64;
    static final int MAX_ALIASES = 100;
    /** Nodes after alias expansion (a scalar counts once per 64 characters); a large real manifest has a few thousand. */
    static final int MAX_NODES = 100_000;
    /**
     * Characters of a number (an int or float scalar, not a quoted string). The longest value a manifest has reason to
     * carry, a uint256 in base units, has 78 digits; turning a million-digit number into its canonical form took
     * tens of seconds of a gateway worker's CPU.
     */
    static final int MAX_NUMBER_LENGTH = 100;

    private static final ScalarResolver RESOLVER = new CoreSchema().getScalarResolver();
    private static final String STANDARD = Tag.PREFIX;

    private final Map<Anchor, YamlNode> anchors = new HashMap<>();
    /** Expanded sizes of finished collections, so that an alias to a large subtree counts as large. */
    private final Map<YamlNode, Integer> sizes = new java.util.IdentityHashMap<>();
    private final Deque<Builder> open = new ArrayDeque<>();
    private int aliases;
    private long nodes;
    private YamlNode root;
    private int documents;

    private YamlTreeReader() {
    }

    /** The document's root, or a {@link ManifestException} naming the line and column of what is wrong. */
    static YamlNode read(String text) {
        LoadSettings settings = LoadSettings.builder()
                .setLabel("manifest")
                .setAllowDuplicateKeys(false)
                .setMaxAliasesForCollections(MAX_ALIASES)
                .setAllowRecursiveKeys(false)
                .setCodePointLimit(Math.max(text.length() + 1, 1024))
                .setUseMarks(true)
                .build();
        YamlTreeReader reader = new YamlTreeReader();
        try {
            for (Event event : new Parse(settings).parseString(text)) {
                reader.accept(event);
            }
        } catch (MarkedYamlEngineException e) {
            throw ManifestException.ofFile("malformed YAML" + at(e.getProblemMark().or(e::getContextMark))
                    + ": " + oneLine(e.getProblem()) + context(e.getContext()));
        } catch (YamlEngineException e) {
            throw ManifestException.ofFile("malformed YAML: " + oneLine(e.getMessage()));
        }
        if (reader.root == null) {
            throw ManifestException.ofFile("the manifest is empty");
        }
        return reader.root;
    }

    private void accept(Event event) {
        switch (event.getEventId()) {
            case DocumentStart -> {
                if (++documents > 1) {
                    throw fileError(event, "more than one YAML document (---); a manifest is one document");
                }
            }
            case MappingStart -> push(event, new Builder((CollectionStartEvent) event, true));
            case SequenceStart -> push(event, new Builder((CollectionStartEvent) event, false));
            case MappingEnd, SequenceEnd -> {
                Builder done = open.pop();
                YamlNode node = done.build();
                sizes.put(node, done.size);
                add(event, node, done.anchor, 0);
            }
            case Scalar -> {
                YamlNode.Scalar scalar = scalar((ScalarEvent) event);
                add(event, scalar, ((ScalarEvent) event).getAnchor(), weight(scalar));
            }
            case Alias -> alias((AliasEvent) event);
            default -> {
                // stream and document boundaries, comments: nothing to keep
            }
        }
    }

    private void push(Event event, Builder builder) {
        if (open.size() >= MAX_DEPTH) {
            throw fileError(event, "nested deeper than " + MAX_DEPTH + " levels");
        }
        String tag = builder.tag;
        if (tag != null && !tag.equals("!") && !tag.equals(STANDARD + (builder.mapping ? "map" : "seq"))) {
            throw fileError(event, "unsupported tag " + tag);
        }
        count(event, 1);
        open.push(builder);
    }

    private void alias(AliasEvent event) {
        YamlNode target = anchors.get(event.getAlias());
        if (target == null) {
            throw fileError(event, "alias *" + event.getAlias().getValue() + " refers to no anchor before it");
        }
        if (++aliases > MAX_ALIASES) {
            throw fileError(event, "more than " + MAX_ALIASES + " aliases");
        }
        add(event, target, Optional.empty(), weight(target));
    }

    /** Adds a finished node to its parent; {@code newNodes} is how many nodes it adds to the expanded document. */
    private void add(Event event, YamlNode node, Optional<Anchor> anchor, int newNodes) {
        count(event, newNodes);
        int size = weight(node);
        anchor.ifPresent(a -> anchors.put(a, node));
        Builder parent = open.peek();
        if (parent == null) {
            root = node;
        } else {
            parent.add(event, node, size, this);
        }
    }

    /**
     * What a node costs once expanded: a collection its expanded size, a scalar one node per 64 characters, so that
     * aliases repeating one long string cannot blow the canonical JSON up either.
     */
    private int weight(YamlNode node) {
        Integer size = sizes.get(node);
        if (size != null) {
            return size;
        }
        return node instanceof YamlNode.Scalar s ? 1 + s.text().length() / 64 : 1;
    }

    private void count(Event event, long newNodes) {
        nodes += newNodes;
        if (nodes > MAX_NODES) {
            throw fileError(event, "the document expands to more than " + MAX_NODES + " nodes (through aliases?)");
        }
    }

    private YamlNode.Scalar scalar(ScalarEvent event) {
        String value = event.getValue();
        String tag = event.getTag().filter(t -> !t.equals("!")).orElse(null);
        YamlNode.Scalar.Kind kind;
        if (tag == null) {
            kind = event.isPlain() ? kindOf(RESOLVER.resolve(value, true)) : YamlNode.Scalar.Kind.STRING;
        } else if (tag.startsWith(STANDARD)) {
            kind = switch (tag.substring(STANDARD.length())) {
                case "str" -> YamlNode.Scalar.Kind.STRING;
                case "int" -> checked(event, value, YamlNode.Scalar.Kind.INT);
                case "float" -> checked(event, value, YamlNode.Scalar.Kind.FLOAT);
                case "bool" -> checked(event, value, YamlNode.Scalar.Kind.BOOL);
                case "null" -> checked(event, value, YamlNode.Scalar.Kind.NULL);
                default -> throw fileError(event, "unsupported tag " + tag);
            };
        } else {
            throw fileError(event, "unsupported tag " + tag);
        }
        if ((kind == YamlNode.Scalar.Kind.INT || kind == YamlNode.Scalar.Kind.FLOAT) && value.length() > MAX_NUMBER_LENGTH) {
            throw fileError(event, "a number of " + value.length() + " characters (at most " + MAX_NUMBER_LENGTH
                    + "; quote it if it is meant as text)");
        }
        return new YamlNode.Scalar(value, kind, line(event));
    }

    private static YamlNode.Scalar.Kind checked(Event event, String value, YamlNode.Scalar.Kind wanted) {
        YamlNode.Scalar.Kind actual = kindOf(RESOLVER.resolve(value, true));
        if (actual != wanted) {
            throw fileError(event, "\"" + value + "\" is not a valid " + wanted.name().toLowerCase());
        }
        return wanted;
    }

    private static YamlNode.Scalar.Kind kindOf(Tag tag) {
        if (Tag.INT.equals(tag)) {
            return YamlNode.Scalar.Kind.INT;
        }
        if (Tag.FLOAT.equals(tag)) {
            return YamlNode.Scalar.Kind.FLOAT;
        }
        if (Tag.BOOL.equals(tag)) {
            return YamlNode.Scalar.Kind.BOOL;
        }
        if (Tag.NULL.equals(tag)) {
            return YamlNode.Scalar.Kind.NULL;
        }
        return YamlNode.Scalar.Kind.STRING;
    }

    static ManifestException fileError(Event event, String reason) {
        return ManifestException.ofFile("malformed YAML" + at(event.getStartMark()) + ": " + reason);
    }

    static int line(Event event) {
        return event.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }

    private static String at(Optional<Mark> mark) {
        return mark.map(m -> " at line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1)).orElse("");
    }

    private static String context(String context) {
        return context == null || context.isBlank() ? "" : " (" + oneLine(context) + ")";
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").trim();
    }

    /** A mapping or sequence being read. */
    private static final class Builder {
        final boolean mapping;
        final String tag;
        final Optional<Anchor> anchor;
        final int line;
        final Map<String, YamlNode> entries = new LinkedHashMap<>();
        final List<YamlNode> items = new ArrayList<>();
        String pendingKey;
        int size = 1;

        Builder(CollectionStartEvent event, boolean mapping) {
            this.mapping = mapping;
            this.tag = event.getTag().orElse(null);
            this.anchor = ((NodeEvent) event).getAnchor();
            this.line = line(event);
        }

        void add(Event event, YamlNode node, int nodeSize, YamlTreeReader reader) {
            size = (int) Math.min(Integer.MAX_VALUE, (long) size + nodeSize);
            if (!mapping) {
                items.add(node);
                return;
            }
            if (pendingKey == null) {
                if (!(node instanceof YamlNode.Scalar key)) {
                    throw fileError(event, "a mapping key must be a plain value, not a list or mapping");
                }
                if (key.text().equals("<<") && key.kind() == YamlNode.Scalar.Kind.STRING && event instanceof ScalarEvent s && s.isPlain()) {
                    throw fileError(event, "merge keys (<<) are not supported; write the values out");
                }
                if (entries.containsKey(key.text())) {
                    throw fileError(event, "duplicate key " + key.text());
                }
                pendingKey = key.text();
            } else {
                entries.put(pendingKey, node);
                pendingKey = null;
            }
        }

        YamlNode build() {
            return mapping ? new YamlNode.Mapping(entries, line) : new YamlNode.Sequence(items, line);
        }
    }
}
