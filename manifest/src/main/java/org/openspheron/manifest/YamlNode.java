package org.openspheron.manifest;

import java.util.List;
import java.util.Map;

/**
 * The manifest's YAML as a plain tree: aliases expanded, tags resolved by the YAML 1.2 core schema, comments and
 * presentation gone. Both the model and the canonical hash are built from it, so they always agree.
 */
sealed interface YamlNode {

    /** Where the node starts in the file (1-based), for messages; 0 when unknown. */
    int line();

    /** A mapping in file order; keys are the scalar keys' text. */
    record Mapping(Map<String, YamlNode> entries, int line) implements YamlNode {
    }

    record Sequence(List<YamlNode> items, int line) implements YamlNode {
    }

    /** A scalar with its text as written (unquoted) and the type the core schema gives it. */
    record Scalar(String text, Kind kind, int line) implements YamlNode {
        enum Kind { STRING, INT, FLOAT, BOOL, NULL }

        boolean isNull() {
            return kind == Kind.NULL;
        }
    }
}
