package org.openspheron.matchmaker.policy;

/** A MatchingPolicy that makes no usable scoring policy; {@link #field()} is its JSON path, e.g. {@code spec.drawSize}. */
public final class InvalidPolicy extends RuntimeException {
    private final String field;

    public InvalidPolicy(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
