package org.openspheron.chain.property;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the tries of a property reached (leases made, outcomes seen), printed after a passing run: a generator that
 * stops reaching the interesting states shows here rather than passing quietly.
 */
final class Tally {
    private final String property;
    private final Map<String, Map<String, Integer>> labels = new LinkedHashMap<>();

    Tally(String property) {
        this.property = property;
    }

    void count(String label, Object value) {
        labels.computeIfAbsent(label, l -> new TreeMap<>()).merge(String.valueOf(value), 1, Integer::sum);
    }

    void print() {
        labels.forEach((label, values) -> System.out.println(property + ", " + label + ": " + values));
    }
}
