package org.openspheron.operator.inventory;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tolerations the operator gives tenant pods, and so the nodes those pods can land on. GPU pods tolerate the
 * {@code nvidia.com/gpu} taint GPU node pools carry; every pod also tolerates what the provider configured
 * ({@code spheron.operator.tolerations}). The inventory counts a node only for the pods that tolerate all its
 * NoSchedule and NoExecute taints, so nothing is bid on a node the pods would never be scheduled to.
 */
public final class PodTolerations {
    /** The taint key of GPU node pools, as NVIDIA's GPU operator and the clouds set it. */
    public static final String GPU_TAINT_KEY = Inventory.GPU_RESOURCE;
    public static final PodTolerations DEFAULT = new PodTolerations(List.of());
    private static final Set<String> EFFECTS = Set.of("NoSchedule", "PreferNoSchedule", "NoExecute");
    /** {@code key}, {@code key=value}, either followed by {@code :Effect}. */
    private static final Pattern SPEC = Pattern.compile("([A-Za-z0-9./_-]+)(?:=([A-Za-z0-9._-]*))?(?::([A-Za-z]+))?");

    private final List<Toleration> extra;

    private PodTolerations(List<Toleration> extra) {
        this.extra = List.copyOf(extra);
    }

    /**
     * Parses the provider's setting: each entry {@code key}, {@code key=value}, optionally {@code :NoSchedule},
     * {@code :PreferNoSchedule} or {@code :NoExecute} (no effect: any effect).
     *
     * @throws IllegalArgumentException naming the entry that is not of that form
     */
    public static PodTolerations of(List<String> specs) {
        List<Toleration> parsed = new ArrayList<>();
        for (String spec : specs) {
            Matcher m = SPEC.matcher(spec.trim());
            if (!m.matches() || (m.group(3) != null && !EFFECTS.contains(m.group(3)))) {
                throw new IllegalArgumentException("spheron.operator.tolerations: '" + spec + "' is not key, key=value,"
                        + " key:Effect or key=value:Effect (Effect NoSchedule, PreferNoSchedule or NoExecute)");
            }
            TolerationBuilder t = new TolerationBuilder().withKey(m.group(1)).withEffect(m.group(3));
            parsed.add(m.group(2) == null ? t.withOperator("Exists").build() : t.withOperator("Equal").withValue(m.group(2)).build());
        }
        return new PodTolerations(parsed);
    }

    /** The tolerations of a pod with GPUs ({@code gpu}) or without. */
    public List<Toleration> forPods(boolean gpu) {
        List<Toleration> all = new ArrayList<>();
        if (gpu) {
            all.add(new TolerationBuilder().withKey(GPU_TAINT_KEY).withOperator("Exists").withEffect("NoSchedule").build());
        }
        all.addAll(extra);
        return all;
    }

    /** Whether a pod with GPUs ({@code gpu}) or without tolerates every taint of {@code node} that keeps pods off. */
    public boolean admits(Node node, boolean gpu) {
        List<Taint> taints = node.getSpec() == null ? List.of() : Optional.ofNullable(node.getSpec().getTaints()).orElse(List.of());
        List<Toleration> tolerations = forPods(gpu);
        return taints.stream().filter(t -> "NoSchedule".equals(t.getEffect()) || "NoExecute".equals(t.getEffect()))
                .allMatch(t -> tolerations.stream().anyMatch(o -> tolerates(o, t)));
    }

    /** Kubernetes' rule: same key (or an empty key with Exists), value when Equal, same effect unless the toleration has none. */
    static boolean tolerates(Toleration toleration, Taint taint) {
        if (toleration.getEffect() != null && !toleration.getEffect().isEmpty() && !toleration.getEffect().equals(taint.getEffect())) {
            return false;
        }
        boolean exists = "Exists".equals(toleration.getOperator());
        if (toleration.getKey() == null || toleration.getKey().isEmpty()) {
            return exists;
        }
        if (!toleration.getKey().equals(taint.getKey())) {
            return false;
        }
        return exists || Objects.equals(Optional.ofNullable(toleration.getValue()).orElse(""),
                Optional.ofNullable(taint.getValue()).orElse(""));
    }
}
