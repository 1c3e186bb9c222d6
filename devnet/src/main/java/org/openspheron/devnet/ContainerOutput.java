package org.openspheron.devnet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the stand-in's containers wrote to standard output, kept per pod (by uid, so a pod re-created under the same
 * name starts empty, as on a real node) and container, the way the kubelet keeps it for {@code pods/log}.
 */
final class ContainerOutput {
    private final Map<String, List<String>> lines = new ConcurrentHashMap<>();

    void write(String podUid, String container, List<String> text) {
        List<String> log = lines.computeIfAbsent(podUid + "/" + container, k -> new ArrayList<>());
        synchronized (log) {
            log.addAll(text);
        }
    }

    /** The last {@code tail} lines (all when {@code tail} is null). */
    List<String> read(String podUid, String container, Integer tail) {
        List<String> log = lines.getOrDefault(podUid + "/" + container, List.of());
        synchronized (log) {
            int from = tail == null ? 0 : Math.max(0, log.size() - tail);
            return List.copyOf(log.subList(from, log.size()));
        }
    }

    /** Drops the output of pods that no longer exist, so a long local run does not keep every pod's lines. */
    void retain(java.util.Set<String> livePodUids) {
        lines.keySet().removeIf(key -> !livePodUids.contains(key.substring(0, key.indexOf('/'))));
    }
}
