package org.openspheron.operator.inventory;

/**
 * Why a demand fits on no node, in the order the checks run; across nodes the one that got furthest is reported
 * (a node with the model but too little memory says MEMORY, not NO_SUCH_MODEL).
 */
public enum Shortfall {
    NO_SUCH_MODEL, GPUS, CPU, MEMORY, STORAGE;

    /** The metric tag and log word. */
    public String tag() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
