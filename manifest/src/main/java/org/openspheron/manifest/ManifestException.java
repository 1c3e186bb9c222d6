package org.openspheron.manifest;

/**
 * A manifest that cannot be deployed, with the field at fault. The message always starts with the field's path
 * ({@code services.web.expose[0].port: 70000 is not a port}), or is the bare reason when the whole file is at fault
 * (malformed YAML, too large), so it can be shown to a user as is; the gateway returns {@link #field()} separately.
 */
public final class ManifestException extends RuntimeException {
    private final String field;
    private final String reason;

    public ManifestException(String field, String reason) {
        super(field == null || field.isEmpty() ? reason : field + ": " + reason, null, false, false);
        this.field = field == null ? "" : field;
        this.reason = reason;
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
