package org.openspheron.operator.deployment;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.openspheron.chain.GpuModel;
import org.openspheron.operator.crd.ObjectLabels;

/**
 * Where a GPU service's pods may run: the {@code nvidia.com/gpu.product} values of its pod template's node affinity.
 * A running workload keeps the placement its pod template already has, read back from the Deployment or StatefulSet
 * itself (not from the GPUDeployment's status, which a restore or a hand edit can lose), for as long as the service
 * asks for the same GPU model ({@link #PLACED_FOR}) and either a node still offers one of its products or all its
 * replicas are ready. A node with a new variant joining, the last node of a variant leaving, or a node relabelled
 * therefore changes no pod template, which would restart every pod (strategy Recreate) and make tenants reload their
 * models. Only a new GPU model in the spec, or a placement no node offers while some replica cannot run, picks again
 * from what the nodes offer now. A pure function of the objects given.
 */
public final class GpuPlacement {
    /**
     * The annotation on a GPU service's Deployment or StatefulSet naming the GPU model (canonical {@link GpuModel}
     * name, {@code any} for none) its placement was chosen for. On the workload, not its pod template: writing it
     * restarts nothing.
     */
    public static final String PLACED_FOR = "openspheron.org/gpu-placed-for";

    private GpuPlacement() {
    }

    /** A workload's placement: the model it was chosen for (absent on objects older than the annotation). */
    public record Placed(Optional<String> forModel, SortedSet<String> products) {
    }

    /** The {@link #PLACED_FOR} value of {@code service}. */
    public static String placedFor(WorkloadService service) {
        String name = GpuModel.parse(service.getResources().getGpuModel()).name();
        return name.isEmpty() ? "any" : name;
    }

    /**
     * The products {@code service}'s pods are pinned to.
     *
     * @param existing its Deployment or StatefulSet as the cluster holds it, null when there is none yet
     * @param live     the products of the nodes that offer its model now ({@code GpuModels.productLabels}); empty
     *                 for a service without GPUs, null when no node offers its model
     * @return the products; null when there are none to pin to
     */
    public static SortedSet<String> choose(WorkloadService service, HasMetadata existing, SortedSet<String> live) {
        if (service.getResources().getGpuCount() == 0 || existing == null) {
            return live;
        }
        Optional<Placed> placed = read(existing);
        if (placed.isEmpty() || placed.get().products().isEmpty()
                || !placed.get().forModel().map(placedFor(service)::equals).orElse(true)) {
            return live;
        }
        SortedSet<String> kept = placed.get().products();
        boolean offered = live != null && kept.stream().anyMatch(live::contains);
        return offered || allReplicasReady(existing) ? kept : live;
    }

    /** The placement an existing Deployment or StatefulSet's pod template has; empty when it has none. */
    public static Optional<Placed> read(HasMetadata workload) {
        PodTemplateSpec template = workload instanceof Deployment d ? d.getSpec().getTemplate()
                : workload instanceof StatefulSet s ? s.getSpec().getTemplate() : null;
        var affinity = template == null || template.getSpec() == null ? null : template.getSpec().getAffinity();
        if (affinity == null || affinity.getNodeAffinity() == null
                || affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null) {
            return Optional.empty();
        }
        SortedSet<String> products = new TreeSet<>();
        for (NodeSelectorTerm term : affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms()) {
            for (NodeSelectorRequirement r : term.getMatchExpressions()) {
                if (ObjectLabels.GPU_PRODUCT_LABEL.equals(r.getKey()) && "In".equals(r.getOperator()) && r.getValues() != null) {
                    products.addAll(r.getValues());
                }
            }
        }
        Map<String, String> annotations = workload.getMetadata().getAnnotations();
        return Optional.of(new Placed(Optional.ofNullable(annotations == null ? null : annotations.get(PLACED_FOR)), products));
    }

    /** Whether every replica runs: then no pod needs a node, and a new placement would only restart them. */
    private static boolean allReplicasReady(HasMetadata workload) {
        Integer wanted;
        Integer ready;
        if (workload instanceof Deployment d) {
            wanted = d.getSpec().getReplicas();
            ready = d.getStatus() == null ? null : d.getStatus().getReadyReplicas();
        } else if (workload instanceof StatefulSet s) {
            wanted = s.getSpec().getReplicas();
            ready = s.getStatus() == null ? null : s.getStatus().getReadyReplicas();
        } else {
            return false;
        }
        return (ready == null ? 0 : ready) >= (wanted == null ? 1 : wanted);
    }
}
