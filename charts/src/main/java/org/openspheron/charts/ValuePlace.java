package org.openspheron.charts;

/**
 * One declared place in an app's plain manifests that the chart lets a Helm user change: in every document of
 * {@code kind}, the field at {@code path} (dots between keys, {@code []} for "any item of a list", e.g.
 * {@code spec.template.spec.containers[].image}) becomes a reference to {@code valuesKey} in values.yaml, whose
 * default is what the manifest says there. Declaring the few places here, rather than writing templates by hand, is
 * what keeps the chart equal to the manifests: everything else is copied as it is.
 */
public record ValuePlace(String kind, String path, String valuesKey, Form form, String comment) {

    /** How the field is replaced. */
    public enum Form {
        /** A scalar (string, number, boolean) replaced by the value. */
        SCALAR,
        /** A container image {@code repository:tag}: two values, the tag defaulting to the chart's appVersion. */
        IMAGE,
        /** A nested block (e.g. resources) replaced by the value rendered with toYaml. */
        BLOCK,
        /** A string map (a ConfigMap's data) whose entries come from the value, each quoted as a string. */
        STRING_MAP
    }

    public static ValuePlace scalar(String kind, String path, String valuesKey, String comment) {
        return new ValuePlace(kind, path, valuesKey, Form.SCALAR, comment);
    }

    public static ValuePlace image(String kind, String path, String comment) {
        return new ValuePlace(kind, path, "image", Form.IMAGE, comment);
    }

    public static ValuePlace block(String kind, String path, String valuesKey, String comment) {
        return new ValuePlace(kind, path, valuesKey, Form.BLOCK, comment);
    }

    public static ValuePlace stringMap(String kind, String path, String valuesKey, String comment) {
        return new ValuePlace(kind, path, valuesKey, Form.STRING_MAP, comment);
    }

    @Override
    public String toString() {
        return kind + " " + path + " -> .Values." + valuesKey;
    }
}
