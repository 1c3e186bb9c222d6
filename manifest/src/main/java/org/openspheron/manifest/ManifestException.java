package org.openspheron.manifest;

/**
 * A manifest that cannot be deployed, with the field at fault. The message always starts with the field's path
 * ({@code services.web.expose[0].port: 70000 is not a port}), or is the bare reason when the whole file is at fault
 * (malformed YAML, too large), so it can be shown to a user as is; the gateway returns {@link #field()} separately.
 */
public final class ManifestException extends RuntimeException {
    private final String field;
    private final String reason;

    /** Longest reason kept: a message quotes the user's values, which may be anything. */
    private static final int MAX_REASON = 300;

    public ManifestException(String field, String reason) {
        super(message(field, reason), null, false, false);
        this.field = field == null ? "" : oneLine(field);
        this.reason = oneLine(reason);
    }

    private static String message(String field, String reason) {
        String f = field == null ? "" : oneLine(field);
        return f.isEmpty() ? oneLine(reason) : f + ": " + oneLine(reason);
    }

    /** Control characters escaped (a message is one line), and cut short when a quoted value is huge. */
    private static String oneLine(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_REASON + 16));
        for (int i = 0; i < text.length() && out.length() < MAX_REASON; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        if (out.length() >= MAX_REASON) {
            out.setLength(MAX_REASON);
            out.append("...");
        }
        return out.toString();
    }

    /** A whole-file error: the YAML itself, the size, the encoding. */
    public static ManifestException ofFile(String reason) {
        return new ManifestException("", reason);
    }

    /** The path of the offending field, like {@code services.web.expose[0].port}; empty for whole-file errors. */
    public String field() {
        return field;
    }

    /** The reason without the field, like {@code 70000 is not a port}. */
    public String reason() {
        return reason;
    }
}
