package org.openspheron.manifest;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The canonical JSON text of a YAML tree and its SHA-256: the manifest hash an order carries on chain. The rules
 * (those of RFC 8785, JSON Canonicalization Scheme, where they apply) are in {@link ManifestParser}'s Javadoc.
 */
final class CanonicalJson {
    private CanonicalJson() {
    }

    static String of(YamlNode node) {
        StringBuilder out = new StringBuilder(4096);
        write(node, out);
        return out.toString();
    }

    static String sha256(String canonical) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return "0x" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static void write(YamlNode node, StringBuilder out) {
        if (node instanceof YamlNode.Mapping m) {
            List<Map.Entry<String, YamlNode>> entries = new ArrayList<>(m.entries().entrySet());
            // String.compareTo orders by UTF-16 code units, as RFC 8785 asks.
            entries.sort(Map.Entry.comparingByKey());
            out.append('{');
            for (int i = 0; i < entries.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                string(entries.get(i).getKey(), out);
                out.append(':');
                write(entries.get(i).getValue(), out);
            }
            out.append('}');
        } else if (node instanceof YamlNode.Sequence s) {
            out.append('[');
            for (int i = 0; i < s.items().size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(s.items().get(i), out);
            }
            out.append(']');
        } else {
            scalar((YamlNode.Scalar) node, out);
        }
    }

    private static void scalar(YamlNode.Scalar s, StringBuilder out) {
        switch (s.kind()) {
            case NULL -> out.append("null");
            case BOOL -> out.append(Boolean.parseBoolean(s.text().toLowerCase()) ? "true" : "false");
            case INT, FLOAT -> {
                BigDecimal number = number(s.text());
                if (number == null) {
                    // .inf and .nan have no JSON number; keep them apart from strings by a marker no string can equal
                    string("\u0000" + s.text().toLowerCase(), out);
                } else {
                    out.append(format(number));
                }
            }
            case STRING -> string(s.text(), out);
        }
    }

    /** The value of a core-schema int or float ({@code 0x1F}, {@code 0o17}, {@code 1e3}, {@code -.5}); null if not finite. */
    static BigDecimal number(String text) {
        String t = text.startsWith("+") ? text.substring(1) : text;
        try {
            if (t.startsWith("0x")) {
                return new BigDecimal(new BigInteger(t.substring(2), 16));
            }
            if (t.startsWith("0o")) {
                return new BigDecimal(new BigInteger(t.substring(2), 8));
            }
            return new BigDecimal(t);
        } catch (NumberFormatException | ArithmeticException e) {
            return null; // .inf, .nan, or an exponent beyond BigDecimal's range
        }
    }

    /** Numbers by value: {@code 16}, {@code 16.0} and {@code 1.6e1} are the same number and render as {@code 16}. */
    private static String format(BigDecimal number) {
        BigDecimal n = number.signum() == 0 ? BigDecimal.ZERO : number.stripTrailingZeros();
        // Plain notation unless that would be absurdly long (1e999999999 must not become a gigabyte of zeros).
        return Math.abs(n.scale()) <= 100 ? n.toPlainString() : n.toString();
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
