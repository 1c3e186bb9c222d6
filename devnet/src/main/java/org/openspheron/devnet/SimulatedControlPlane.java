package org.openspheron.devnet;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Plays the parts of a cluster that fabric8's mock server does not run, so that the operator sees what a real
 * cluster would show: the scheduler (pods land on a node whose GPU product matches the required affinity), the
 * Deployment and StatefulSet controllers (pods and replica status; a StatefulSet's claims from its volume claim
 * templates, named {@code <template>-<set>-<ordinal>} and mounted into the pod), a volume provisioner (every claim
 * is bound at once, at the size it asks for), the service controller (node ports, load balancer address), the
 * kubelet (pods Running and Ready, or ErrImagePull for an image whose name contains {@code does-not-exist}; a
 * started container prints one line to its log), the garbage collector (an object whose owners are all gone goes
 * too) and namespace deletion. A polling loop, level-triggered like the real ones.
 */
final class SimulatedControlPlane implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SimulatedControlPlane.class.getName());
    static final String OWNER_LABEL = "devnet.openspheron.org/owner";
    private static final List<Class<? extends HasMetadata>> NAMESPACED_KINDS = List.of(
            Pod.class, Deployment.class, StatefulSet.class, Service.class,
            io.fabric8.kubernetes.api.model.Secret.class, io.fabric8.kubernetes.api.model.ConfigMap.class,
            io.fabric8.kubernetes.api.model.ResourceQuota.class,
            io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class,
            io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class);

    /** Kinds whose objects the garbage collector deletes once all their owners are gone. */
    private static final List<Class<? extends HasMetadata>> COLLECTED_KINDS = List.of(
            Deployment.class, StatefulSet.class, Service.class, Pod.class,
            io.fabric8.kubernetes.api.model.Secret.class, io.fabric8.kubernetes.api.model.ConfigMap.class,
            io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class);

    private final KubernetesClient client;
    private final ContainerOutput output;
    private final String nodeAddress;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "devnet-control-plane");
        t.setDaemon(true);
        return t;
    });
    private int nextNodePort = 30000;

    SimulatedControlPlane(KubernetesClient client, ContainerOutput output, String nodeAddress) {
        this.client = client;
        this.output = output;
        this.nodeAddress = nodeAddress;
    }

    void start() {
        loop.scheduleWithFixedDelay(this::safeStep, 0, 300, TimeUnit.MILLISECONDS);
    }

    private void safeStep() {
        try {
            step();
        } catch (KubernetesClientException | IllegalStateException e) {
            LOG.log(System.Logger.Level.DEBUG, "control plane step failed, retrying: {0}", e.getMessage());
        }
    }

    /** One pass over the whole cluster. Public for tests that want to converge synchronously. */
    synchronized void step() {
        Set<String> namespaces = new HashSet<>();
        client.namespaces().list().getItems().forEach(n -> namespaces.add(n.getMetadata().getName()));
        namespaces.add("default");
        sweepDeletedNamespaces(namespaces);
        List<Node> nodes = client.nodes().list().getItems();
        for (Deployment d : client.apps().deployments().inAnyNamespace().list().getItems()) {
            int replicas = Optional.ofNullable(d.getSpec().getReplicas()).orElse(1);
            int ready = convergePods(d, d.getSpec().getTemplate(), List.of(), replicas, nodes);
            if (!statusMatches(d.getStatus() == null ? null : d.getStatus().getReadyReplicas(), ready, d)) {
                d.setStatus(new DeploymentStatusBuilder().withReplicas(replicas).withReadyReplicas(ready)
                        .withAvailableReplicas(ready).withUpdatedReplicas(replicas)
                        .withObservedGeneration(d.getMetadata().getGeneration()).build());
                client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).resource(d).updateStatus();
            }
        }
        for (StatefulSet s : client.apps().statefulSets().inAnyNamespace().list().getItems()) {
            int replicas = Optional.ofNullable(s.getSpec().getReplicas()).orElse(1);
            int ready = convergePods(s, s.getSpec().getTemplate(),
                    Optional.ofNullable(s.getSpec().getVolumeClaimTemplates()).orElse(List.of()), replicas, nodes);
            if (!statusMatches(s.getStatus() == null ? null : s.getStatus().getReadyReplicas(), ready, s)) {
                s.setStatus(new StatefulSetStatusBuilder().withReplicas(replicas).withReadyReplicas(ready)
                        .withAvailableReplicas(ready).withCurrentReplicas(replicas)
                        .withObservedGeneration(s.getMetadata().getGeneration()).build());
                client.apps().statefulSets().inNamespace(s.getMetadata().getNamespace()).resource(s).updateStatus();
            }
        }
        client.services().inAnyNamespace().list().getItems().forEach(this::allocatePorts);
        deleteOrphanPods();
        collectGarbage();
    }

    private static boolean statusMatches(Integer current, int ready, HasMetadata owner) {
        return current != null && current == ready && owner.getMetadata().getGeneration() != null;
    }

    private int convergePods(HasMetadata owner, PodTemplateSpec template, List<PersistentVolumeClaim> claimTemplates,
            int replicas, List<Node> nodes) {
        String namespace = owner.getMetadata().getNamespace();
        String uid = owner.getMetadata().getUid();
        List<Pod> pods = client.pods().inNamespace(namespace).withLabel(OWNER_LABEL, uid).list().getItems();
        Set<String> names = new HashSet<>();
        pods.forEach(p -> names.add(p.getMetadata().getName()));
        for (int i = 0; i < replicas; i++) {
            String name = owner.getMetadata().getName() + "-" + i;
            if (!names.contains(name)) {
                Pod pod = pod(owner, template, name, nodes);
                for (PersistentVolumeClaim claim : claimTemplates) {
                    pod.getSpec().getVolumes().add(new VolumeBuilder().withName(claim.getMetadata().getName())
                            .withNewPersistentVolumeClaim().withClaimName(bindClaim(owner, claim, i)).endPersistentVolumeClaim()
                            .build());
                }
                Pod created = client.pods().inNamespace(namespace).resource(pod).create();
                if ("Running".equals(created.getStatus().getPhase())) {
                    for (var container : created.getSpec().getContainers()) {
                        output.write(created.getMetadata().getUid(), container.getName(), List.of("devnet: simulated"
                                + " container " + container.getName() + " (image " + container.getImage() + ") started on node "
                                + created.getSpec().getNodeName() + "; it runs no code"));
                    }
                }
            }
        }
        int ready = 0;
        for (Pod pod : client.pods().inNamespace(namespace).withLabel(OWNER_LABEL, uid).list().getItems()) {
            int index = Integer.parseInt(pod.getMetadata().getName().substring(pod.getMetadata().getName().lastIndexOf('-') + 1));
            if (index >= replicas) {
                client.pods().inNamespace(namespace).resource(pod).delete();
            } else if ("Running".equals(pod.getStatus() == null ? null : pod.getStatus().getPhase())) {
                ready++;
            }
        }
        return ready;
    }

    private Pod pod(HasMetadata owner, PodTemplateSpec template, String name, List<Node> nodes) {
        Map<String, String> labels = new HashMap<>(Optional.ofNullable(template.getMetadata())
                .map(ObjectMeta::getLabels).orElse(Map.of()));
        labels.put(OWNER_LABEL, owner.getMetadata().getUid());
        PodSpec spec = template.getSpec();
        Optional<Node> node = schedule(spec, nodes, gpusInUse());
        spec.setNodeName(node.map(n -> n.getMetadata().getName()).orElse(null));
        Pod pod = new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(owner.getMetadata().getNamespace()).withLabels(labels)
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion())
                        .withKind(owner.getKind()).withName(owner.getMetadata().getName())
                        .withUid(owner.getMetadata().getUid()).withController(true).build())
                .endMetadata()
                .withSpec(spec)
                .build();
        pod.setStatus(node.isEmpty() ? unschedulable() : kubelet(spec));
        return pod;
    }

    /**
     * The StatefulSet controller's claim for one ordinal, created when missing and bound at once by the stand-in's
     * provisioner (the real controller creates it; a provisioner binds it to a volume of at least the asked size).
     * Claims are kept when the set goes, as with the default retention policy; the namespace takes them along.
     */
    private String bindClaim(HasMetadata set, PersistentVolumeClaim template, int ordinal) {
        String namespace = set.getMetadata().getNamespace();
        String name = template.getMetadata().getName() + "-" + set.getMetadata().getName() + "-" + ordinal;
        if (client.persistentVolumeClaims().inNamespace(namespace).withName(name).get() == null) {
            Map<String, String> labels = new HashMap<>(Optional.ofNullable(template.getMetadata().getLabels()).orElse(Map.of()));
            if (set instanceof StatefulSet s && s.getSpec().getSelector() != null
                    && s.getSpec().getSelector().getMatchLabels() != null) {
                labels.putAll(s.getSpec().getSelector().getMatchLabels());
            }
            var spec = template.getSpec();
            var claim = new PersistentVolumeClaimBuilder()
                    .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
                    .withSpec(spec)
                    .withNewStatus().withPhase("Bound").withAccessModes(spec.getAccessModes())
                    .withCapacity(spec.getResources() == null || spec.getResources().getRequests() == null ? Map.of()
                            : Map.of("storage", spec.getResources().getRequests().get("storage")))
                    .endStatus()
                    .build();
            claim.getSpec().setVolumeName("devnet-pv-" + namespace + "-" + name);
            client.persistentVolumeClaims().inNamespace(namespace).resource(claim).create();
        }
        return name;
    }

    /** Picks a node satisfying the required node affinity on labels (In), or the first node without affinity. */
    private static Optional<Node> schedule(PodSpec spec, List<Node> nodes, Map<String, Integer> gpusInUse) {
        int wanted = gpus(spec);
        List<NodeSelectorRequirement> required = new ArrayList<>();
        if (spec.getAffinity() != null && spec.getAffinity().getNodeAffinity() != null
                && spec.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() != null) {
            spec.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                    .getNodeSelectorTerms().forEach(t -> required.addAll(t.getMatchExpressions()));
        }
        return nodes.stream()
                .filter(n -> required.stream().allMatch(r -> matches(n, r)))
                .filter(n -> wanted == 0 || allocatableGpus(n) - gpusInUse.getOrDefault(n.getMetadata().getName(), 0) >= wanted)
                .findFirst();
    }

    private Map<String, Integer> gpusInUse() {
        Map<String, Integer> used = new HashMap<>();
        for (Pod pod : client.pods().inAnyNamespace().list().getItems()) {
            if (pod.getSpec().getNodeName() != null) {
                used.merge(pod.getSpec().getNodeName(), gpus(pod.getSpec()), Integer::sum);
            }
        }
        return used;
    }

    private static int gpus(PodSpec spec) {
        int total = 0;
        for (var container : spec.getContainers()) {
            if (container.getResources() != null && container.getResources().getLimits() != null) {
                var q = container.getResources().getLimits().get(DevCluster.GPU_RESOURCE);
                if (q != null) {
                    total += q.getNumericalAmount().intValue();
                }
            }
        }
        return total;
    }

    private static int allocatableGpus(Node node) {
        var q = node.getStatus() == null || node.getStatus().getAllocatable() == null ? null
                : node.getStatus().getAllocatable().get(DevCluster.GPU_RESOURCE);
        return q == null ? 0 : q.getNumericalAmount().intValue();
    }

    private static boolean matches(Node node, NodeSelectorRequirement requirement) {
        String value = Optional.ofNullable(node.getMetadata().getLabels()).orElse(Map.of()).get(requirement.getKey());
        return switch (requirement.getOperator()) {
            case "In" -> value != null && requirement.getValues().contains(value);
            case "NotIn" -> value == null || !requirement.getValues().contains(value);
            case "Exists" -> value != null;
            case "DoesNotExist" -> value == null;
            default -> true;
        };
    }

    private static PodStatus unschedulable() {
        return new PodStatusBuilder().withPhase("Pending")
                .addNewCondition().withType("PodScheduled").withStatus("False").withReason("Unschedulable")
                .withMessage("0 nodes match the pod's node affinity and free GPUs (simulated scheduler)").endCondition()
                .build();
    }

    private static PodStatus kubelet(PodSpec spec) {
        boolean pullFails = spec.getContainers().stream().anyMatch(c -> c.getImage() != null && c.getImage().contains("does-not-exist"));
        PodStatusBuilder status = new PodStatusBuilder().withPhase(pullFails ? "Pending" : "Running").withPodIP("10.0.0.1");
        status.addNewCondition().withType("PodScheduled").withStatus("True").endCondition();
        status.addNewCondition().withType("Ready").withStatus(pullFails ? "False" : "True").endCondition();
        for (var container : spec.getContainers()) {
            var cs = new ContainerStatusBuilder().withName(container.getName()).withImage(container.getImage())
                    .withReady(!pullFails).withRestartCount(0);
            if (pullFails) {
                cs.withNewState().withNewWaiting().withReason("ErrImagePull")
                        .withMessage("simulated: image " + container.getImage() + " not found").endWaiting().endState();
            } else {
                cs.withNewState().withNewRunning().withStartedAt(java.time.Instant.now().toString()).endRunning().endState();
            }
            status.addToContainerStatuses(cs.build());
        }
        return status.build();
    }

    private void allocatePorts(Service service) {
        String type = service.getSpec().getType();
        if (!"NodePort".equals(type) && !"LoadBalancer".equals(type)) {
            return;
        }
        boolean changed = false;
        for (ServicePort port : service.getSpec().getPorts()) {
            if (port.getNodePort() == null) {
                port.setNodePort(nextNodePort++);
                changed = true;
            }
        }
        if (changed) {
            client.services().inNamespace(service.getMetadata().getNamespace()).resource(service).update();
        }
        if ("LoadBalancer".equals(type) && (service.getStatus() == null || service.getStatus().getLoadBalancer() == null
                || service.getStatus().getLoadBalancer().getIngress() == null
                || service.getStatus().getLoadBalancer().getIngress().isEmpty())) {
            Service latest = client.services().inNamespace(service.getMetadata().getNamespace())
                    .withName(service.getMetadata().getName()).get();
            latest.setStatus(new io.fabric8.kubernetes.api.model.ServiceStatusBuilder().withNewLoadBalancer()
                    .addNewIngress().withIp(nodeAddress).endIngress().endLoadBalancer().build());
            client.services().inNamespace(service.getMetadata().getNamespace()).resource(latest).updateStatus();
        }
    }

    private void deleteOrphanPods() {
        Set<String> owners = new HashSet<>();
        client.apps().deployments().inAnyNamespace().list().getItems().forEach(d -> owners.add(d.getMetadata().getUid()));
        client.apps().statefulSets().inAnyNamespace().list().getItems().forEach(s -> owners.add(s.getMetadata().getUid()));
        for (Pod pod : client.pods().inAnyNamespace().withLabel(OWNER_LABEL).list().getItems()) {
            if (!owners.contains(pod.getMetadata().getLabels().get(OWNER_LABEL))) {
                client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).delete();
            }
        }
    }

    /**
     * The garbage collector: an object whose owner references all name objects that no longer exist is deleted
     * (background propagation). Deleting a GPUDeployment takes its workloads and Services this way on a real
     * cluster. Owners are matched by uid, so an owner re-created under the same name does not adopt the orphans.
     */
    private void collectGarbage() {
        List<HasMetadata> dependents = new ArrayList<>();
        for (Class<? extends HasMetadata> kind : COLLECTED_KINDS) {
            client.resources(kind).inAnyNamespace().list().getItems().stream()
                    .filter(o -> !o.getMetadata().getOwnerReferences().isEmpty()).forEach(dependents::add);
        }
        Set<String> livePods = new HashSet<>();
        client.pods().inAnyNamespace().list().getItems().forEach(p -> livePods.add(p.getMetadata().getUid()));
        output.retain(livePods);
        if (dependents.isEmpty()) {
            return;
        }
        // Owners are listed after their dependents: an owner a dependent names existed before that dependent.
        Map<String, Set<String>> ownerUids = new HashMap<>();
        for (HasMetadata dependent : dependents) {
            for (var ref : dependent.getMetadata().getOwnerReferences()) {
                String kind = ref.getApiVersion() + " " + ref.getKind();
                if (!ownerUids.containsKey(kind)) {
                    ownerUids.put(kind, liveUids(ref.getApiVersion(), ref.getKind()));
                }
            }
        }
        for (HasMetadata dependent : dependents) {
            boolean orphaned = dependent.getMetadata().getOwnerReferences().stream().allMatch(ref -> {
                Set<String> live = ownerUids.get(ref.getApiVersion() + " " + ref.getKind());
                return live != null && !live.contains(ref.getUid());
            });
            if (orphaned) {
                client.resource(dependent).inNamespace(dependent.getMetadata().getNamespace()).delete();
            }
        }
    }

    /** The uids of every object of a kind; null when the kind cannot be listed (its owners are then left alone). */
    private Set<String> liveUids(String apiVersion, String kind) {
        if (apiVersion == null || kind == null) {
            return null;
        }
        try {
            Set<String> uids = new HashSet<>();
            client.genericKubernetesResources(apiVersion, kind).inAnyNamespace().list().getItems()
                    .forEach(o -> uids.add(o.getMetadata().getUid()));
            return uids;
        } catch (KubernetesClientException e) {
            return null;
        }
    }

    /** The namespace controller: what lives in a deleted namespace goes with it. */
    private void sweepDeletedNamespaces(Set<String> namespaces) {
        for (Class<? extends HasMetadata> kind : NAMESPACED_KINDS) {
            for (HasMetadata object : client.resources(kind).inAnyNamespace().list().getItems()) {
                String ns = object.getMetadata().getNamespace();
                // Re-read: the namespace may have been created after the snapshot was taken.
                if (!namespaces.contains(ns) && client.namespaces().withName(ns).get() == null) {
                    client.resource(object).inNamespace(ns).delete();
                }
            }
        }
    }

    @Override
    public void close() {
        loop.shutdownNow();
    }
}
