package org.openspheron.operator.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.operator.Manifests.deployment;
import static org.openspheron.operator.Manifests.lease;
import static org.openspheron.operator.Manifests.service;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openspheron.devnet.DevCluster;
import org.openspheron.operator.Manifests;
import org.openspheron.operator.OperatorFixture;
import org.openspheron.operator.app.OperatorConfig.ExposedServiceType;
import org.openspheron.operator.crd.Condition;
import org.openspheron.operator.crd.EventRecorder;
import org.openspheron.operator.deployment.GPUDeployment;
import org.openspheron.operator.deployment.GPUDeploymentStatus;
import org.openspheron.operator.deployment.WorkloadService;
import org.openspheron.operator.lease.SpheronLeaseSpec.ChainState;
import org.openspheron.operator.lease.SpheronLeaseStatus.Phase;

/**
 * The SpheronLease reconciler on a real control plane: lease namespaces, quotas admitted by the real ResourceQuota
 * plugin, network policies (stored; nothing enforces them without a CNI), deletion by the real namespace controller
 * and garbage collector. Every test has a lease id of its own.
 */
class SpheronLeaseReconcilerTest {
    private static final List<String> removedOnChainSide = new CopyOnWriteArrayList<>();
    /** The leases the stand-in chain side says the chain still holds; any other has ended there. */
    private static final Set<String> activeOnChain = ConcurrentHashMap.newKeySet();
    private static OperatorFixture fixture;

    @BeforeAll
    static void start() {
        fixture = OperatorFixture.start(ExposedServiceType.NodePort, Optional.empty(), new LeaseChainSide() {
            @Override
            public boolean activeOnChain(SpheronLease lease) {
                return SpheronLeaseReconcilerTest.activeOnChain.contains(lease.getMetadata().getName());
            }

            @Override
            public void leaseRemoved(SpheronLease lease) {
                removedOnChainSide.add(lease.getMetadata().getName());
            }
        });
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static SpheronLease read(long id) {
        return fixture.client.resources(SpheronLease.class).withName(SpheronLease.nameFor(id)).get();
    }

    private static SpheronLease leaseWithPhase(long id, Phase phase) {
        return fixture.awaitValue(() -> read(id), l -> l.getStatus() != null && l.getStatus().getPhase() == phase);
    }

    private static LeaseResources oneH100() {
        return new LeaseResources(4000, 16384, 10240, 1, "H100");
    }

    private static LeaseResources fourCpus() {
        return new LeaseResources(4000, 16384, 10240, 0, null);
    }

    @Test
    void aLeaseGetsItsOwnNamespaceWithQuotaNetworkPoliciesAndPodSecurityLabels() {
        fixture.create(lease(7, oneH100()));

        SpheronLease pending = leaseWithPhase(7, Phase.PendingManifest);

        Namespace namespace = fixture.client.namespaces().withName("lease-7").get();
        assertThat(namespace.getMetadata().getLabels())
                .containsEntry("openspheron.org/lease-id", "7")
                .containsEntry("openspheron.org/tenant", Manifests.TENANT.toLowerCase())
                .containsEntry("pod-security.kubernetes.io/enforce", "baseline")
                .containsEntry("pod-security.kubernetes.io/warn", "restricted")
                .containsEntry("pod-security.kubernetes.io/audit", "restricted");
        assertThat(namespace.getMetadata().getOwnerReferences())
                .as("no owner reference: the garbage collector must not take a paid lease's namespace with its object")
                .isEmpty();
        ResourceQuota quota = fixture.client.resourceQuotas().inNamespace("lease-7").withName("lease-quota").get();
        assertThat(quota.getSpec().getHard())
                .containsEntry("requests.cpu", new Quantity("4"))
                .containsEntry("limits.memory", new Quantity("16Gi"))
                .containsEntry("requests.ephemeral-storage", new Quantity("10Gi"))
                .containsEntry("requests.storage", new Quantity("10Gi"))
                .containsEntry("requests.nvidia.com/gpu", new Quantity("1"))
                .containsEntry("services.nodeports", new Quantity("32"))
                .containsEntry("services.loadbalancers", new Quantity("32"));
        // The quota controller has counted the namespace: the quota is in force.
        fixture.awaitValue(() -> fixture.client.resourceQuotas().inNamespace("lease-7").withName("lease-quota").get(),
                q -> q.getStatus() != null && q.getStatus().getHard() != null && !q.getStatus().getHard().isEmpty());
        NetworkPolicy deny = fixture.client.network().networkPolicies().inNamespace("lease-7").withName("default-deny").get();
        assertThat(deny.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
        assertThat(deny.getSpec().getIngress()).isEmpty();
        assertThat(deny.getSpec().getEgress()).isEmpty();
        NetworkPolicy traffic = fixture.client.network().networkPolicies().inNamespace("lease-7").withName("lease-traffic").get();
        assertThat(traffic.getSpec().getEgress()).filteredOn(rule -> rule.getTo().get(0).getIpBlock() != null).singleElement()
                .satisfies(rule -> {
                    assertThat(rule.getTo().get(0).getIpBlock().getCidr()).isEqualTo("0.0.0.0/0");
                    assertThat(rule.getTo().get(0).getIpBlock().getExcept()).contains("10.0.0.0/8", "169.254.0.0/16");
                    // Issue 14: the nodes' own addresses (here the hollow nodes' 127.0.0.1; on many clusters public
                    // ones) are blocked too, read from the API server.
                    List<String> nodeAddresses = fixture.client.nodes().list().getItems().stream()
                            .flatMap(n -> n.getStatus().getAddresses().stream())
                            .filter(a -> a.getType().endsWith("IP") && a.getAddress().matches("[0-9.]+")
                                    && !a.getAddress().matches("(10|192\\.168|172\\.(1[6-9]|2[0-9]|3[01]))\\..*"))
                            .map(a -> a.getAddress() + "/32").distinct().toList();
                    assertThat(nodeAddresses).isNotEmpty();
                    assertThat(rule.getTo().get(0).getIpBlock().getExcept()).containsAll(nodeAddresses);
                });
        // DNS: the API server evaluates the rule's namespace selector, and it must reach kube-system as this cluster
        // labels it (1.20 sets no kubernetes.io/metadata.name label).
        var dns = traffic.getSpec().getEgress().stream().filter(rule -> rule.getPorts().stream()
                .anyMatch(p -> p.getPort().getIntVal() == 53)).findFirst().orElseThrow().getTo().get(0);
        assertThat(fixture.client.namespaces().withLabelSelector(dns.getNamespaceSelector()).list().getItems())
                .extracting(n -> n.getMetadata().getName()).contains("kube-system");
        assertThat(dns.getPodSelector().getMatchLabels()).containsEntry("k8s-app", "kube-dns");
        // NodeLocal DNSCache answers on a link-local address the internet rule excepts: allowed on port 53 only.
        assertThat(traffic.getSpec().getEgress()).filteredOn(rule -> rule.getPorts().stream().anyMatch(p -> p.getPort().getIntVal() == 53))
                .singleElement().satisfies(rule -> assertThat(rule.getTo()).filteredOn(peer -> peer.getIpBlock() != null)
                        .extracting(peer -> peer.getIpBlock().getCidr()).containsExactly(LeaseEgress.NODE_LOCAL_DNS));
        assertThat(pending.getStatus().getNamespace()).isEqualTo("lease-7");
        assertThat(pending.getStatus().getObservedGeneration()).isEqualTo(pending.getMetadata().getGeneration());
        assertThat(pending.getStatus().getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo(SpheronLeaseReconciler.NAMESPACE_READY);
            assertThat(c.getStatus()).isEqualTo(Condition.TRUE);
        });
    }

    @Test
    void theLeaseRunsOnceItsGpuDeploymentRunsAndItsExposedPortsAreAllowedIn() {
        fixture.create(lease(8, oneH100()));
        leaseWithPhase(8, Phase.PendingManifest);

        fixture.create(deployment("lease-8", "workload", 8L, service("llm", "vllm/vllm-openai:v0.6", 1, "H100", 8000)));

        SpheronLease running = leaseWithPhase(8, Phase.Running);
        assertThat(running.getStatus().getDeployment()).isEqualTo("workload");
        NetworkPolicy traffic = fixture.awaitValue(
                () -> fixture.client.network().networkPolicies().inNamespace("lease-8").withName("lease-traffic").get(),
                p -> p.getSpec().getIngress().size() == 2);
        assertThat(traffic.getSpec().getIngress().get(1).getPorts()).singleElement()
                .satisfies(p -> assertThat(p.getPort().getIntVal()).isEqualTo(8000));
        // Admitted under the lease quota, which now counts the pod's GPU.
        fixture.awaitValue(() -> fixture.client.resourceQuotas().inNamespace("lease-8").withName("lease-quota").get(),
                q -> q.getStatus() != null && q.getStatus().getUsed() != null
                        && new Quantity("1").equals(q.getStatus().getUsed().get("requests.nvidia.com/gpu")));
    }

    @Test
    void closingTheLeaseOnChainRemovesItsNamespaceAndEverythingInItDeletingTheNamespaceOnce() {
        fixture.create(lease(9, fourCpus()));
        leaseWithPhase(9, Phase.PendingManifest);
        fixture.create(deployment("lease-9", "workload", 9L, service("api", "ghcr.io/acme/api:1", 0, null, 8080)));
        leaseWithPhase(9, Phase.Running);

        fixture.client.resources(SpheronLease.class).withName("lease-9").edit(l -> {
            l.getSpec().setChainState(ChainState.Closed);
            return l;
        });

        SpheronLease closed = leaseWithPhase(9, Phase.Closed);
        // The real namespace controller emptied the namespace (pods, workloads, custom resources) before removing it.
        assertThat(fixture.client.namespaces().withName("lease-9").get()).isNull();
        assertThat(fixture.client.resources(GPUDeployment.class).inNamespace("lease-9").list().getItems()).isEmpty();
        assertThat(closed.getStatus().getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo(SpheronLeaseReconciler.NAMESPACE_READY);
            assertThat(c.getReason()).isEqualTo("Removed");
        });
        // A terminating namespace is not deleted again (Kubernetes 1.21+ answers a second delete with 409).
        assertThat(fixture.operatorWrites()).filteredOn(r -> r.verb().equals("delete") && r.resource().equals("namespaces")
                && r.name().equals("lease-9")).hasSize(1);
    }

    @Test
    void aNamespaceTheApiServerNoLongerHasCountsAsRemoved() {
        assertThat(fixture.client.namespaces().withName("lease-404").get()).isNull();
        assertThat(SpheronLeaseReconciler.removeNamespace(fixture.client, "lease-404")).isTrue();
    }

    @Test
    void deletingALeaseTheChainNoLongerHoldsRemovesItsNamespaceAndTellsTheChainSideBeforeTheObjectGoes() {
        fixture.create(lease(10, oneH100()));
        SpheronLease pending = leaseWithPhase(10, Phase.PendingManifest);
        assertThat(pending.getMetadata().getFinalizers()).isNotEmpty();

        fixture.client.resources(SpheronLease.class).withName("lease-10").delete();

        fixture.awaitValue(() -> read(10) == null, gone -> gone);
        assertThat(removedOnChainSide).contains("lease-10");
        fixture.awaitValue(() -> fixture.client.namespaces().withName("lease-10").get() == null, gone -> gone);
    }

    @Test
    void aPlainDeleteOfALeaseTheChainHoldsKeepsItsNamespaceAndRunningPods() {
        activeOnChain.add("lease-16");
        SpheronLease created = fixture.create(lease(16, fourCpus()));
        leaseWithPhase(16, Phase.PendingManifest);
        fixture.create(deployment("lease-16", "workload", 16L, service("api", "ghcr.io/acme/api:1", 0, null, 8080)));
        leaseWithPhase(16, Phase.Running);
        String namespaceUid = fixture.client.namespaces().withName("lease-16").get().getMetadata().getUid();
        List<String> podUids = podUids("lease-16");
        ConfigMap sentinel = ownedSentinel(created);

        fixture.client.resources(SpheronLease.class).withName("lease-16").delete();

        fixture.awaitValue(() -> read(16) == null, gone -> gone);
        awaitCollected(sentinel);
        Namespace namespace = fixture.client.namespaces().withName("lease-16").get();
        assertThat(namespace.getMetadata().getUid()).isEqualTo(namespaceUid);
        assertThat(namespace.getMetadata().getDeletionTimestamp()).isNull();
        assertThat(podUids("lease-16")).as("the tenant's pods, not restarted").isEqualTo(podUids);
        assertThat(removedOnChainSide).as("nothing to give up on chain").doesNotContain("lease-16");
    }

    /**
     * Operators before this one gave the namespace an owner reference to the lease; the garbage collector would take
     * the namespace with the object. A plain delete drops the reference first.
     */
    @Test
    void aNamespaceAnOlderOperatorMadeOwnedSurvivesAPlainDelete() {
        activeOnChain.add("lease-17");
        SpheronLease created = fixture.create(lease(17, fourCpus()));
        leaseWithPhase(17, Phase.PendingManifest);
        fixture.client.namespaces().withName("lease-17").edit(n -> {
            n.getMetadata().setOwnerReferences(List.of(ownerReference(created)));
            return n;
        });
        ConfigMap sentinel = ownedSentinel(created);

        fixture.client.resources(SpheronLease.class).withName("lease-17").delete();

        fixture.awaitValue(() -> read(17) == null, gone -> gone);
        awaitCollected(sentinel);
        Namespace namespace = fixture.client.namespaces().withName("lease-17").get();
        assertThat(namespace.getMetadata().getDeletionTimestamp()).isNull();
        assertThat(namespace.getMetadata().getOwnerReferences()).isEmpty();
    }

    @Test
    void aLeaseMarkedToGiveUpLosesItsNamespaceAndIsClosedByTheChainSide() {
        activeOnChain.add("lease-18");
        fixture.create(lease(18, fourCpus()));
        leaseWithPhase(18, Phase.PendingManifest);

        fixture.client.resources(SpheronLease.class).withName("lease-18").edit(l -> {
            l.getMetadata().setAnnotations(Map.of(SpheronLease.GIVE_UP, "true"));
            return l;
        });
        fixture.client.resources(SpheronLease.class).withName("lease-18").delete();

        fixture.awaitValue(() -> read(18) == null, gone -> gone);
        assertThat(removedOnChainSide).contains("lease-18");
        fixture.awaitValue(() -> fixture.client.namespaces().withName("lease-18").get() == null, gone -> gone);
    }

    private static List<String> podUids(String namespace) {
        return fixture.client.pods().inNamespace(namespace).list().getItems().stream()
                .map(p -> p.getMetadata().getUid()).sorted().toList();
    }

    private static OwnerReference ownerReference(SpheronLease lease) {
        return new OwnerReferenceBuilder().withApiVersion(lease.getApiVersion()).withKind(lease.getKind())
                .withName(lease.getMetadata().getName()).withUid(lease.getMetadata().getUid()).build();
    }

    /**
     * An object owned by {@code lease} only, outside its namespace: once the garbage collector has deleted it, the
     * collector has acted on the lease's deletion, so whatever it would have taken along is gone by then.
     */
    private static ConfigMap ownedSentinel(SpheronLease lease) {
        return fixture.create(new ConfigMapBuilder().withNewMetadata().withName("sentinel-" + lease.getMetadata().getName())
                .withNamespace("default").withOwnerReferences(ownerReference(lease)).endMetadata().build());
    }

    private static void awaitCollected(ConfigMap sentinel) {
        fixture.awaitValue(() -> fixture.client.configMaps().inNamespace("default").withName(sentinel.getMetadata().getName())
                .get() == null, gone -> gone);
    }

    @Test
    void aSteadyStateWritesNothingToTheLeasesObjects() {
        SpheronLease created = fixture.create(lease(11, oneH100()));
        leaseWithPhase(11, Phase.PendingManifest);
        int writesBefore = fixture.operatorWritesIn("lease-11").size();

        // A spec change the objects do not depend on: the lease reconciles again, observing a new generation.
        SpheronLease edited = fixture.client.resources(SpheronLease.class).withName("lease-11").edit(l -> {
            l.getSpec().setPricePerHour("2600000");
            return l;
        });
        fixture.awaitValue(() -> read(11), l -> l.getStatus().getObservedGeneration().equals(edited.getMetadata().getGeneration()));
        // Changes to its objects the operator does not own: each makes the lease reconcile once more.
        for (String value : List.of("a", "b")) {
            fixture.awaitReconcile(created, () -> fixture.client.resourceQuotas().inNamespace("lease-11").withName("lease-quota")
                    .edit(q -> {
                        q.getMetadata().setAnnotations(Map.of("touched", value));
                        return q;
                    }));
        }

        assertThat(fixture.operatorWritesIn("lease-11")).as("writes of the operator to the lease's objects").hasSize(writesBefore);
    }

    @Test
    void aQuotaDeletedByHandComesBack() {
        fixture.create(lease(12, oneH100()));
        leaseWithPhase(12, Phase.PendingManifest);
        String uid = fixture.client.resourceQuotas().inNamespace("lease-12").withName("lease-quota").get().getMetadata().getUid();

        fixture.client.resourceQuotas().inNamespace("lease-12").withName("lease-quota").delete();

        ResourceQuota back = fixture.awaitValue(() -> fixture.client.resourceQuotas().inNamespace("lease-12").withName("lease-quota").get(),
                q -> !q.getMetadata().getUid().equals(uid));
        assertThat(back.getSpec().getHard()).containsEntry("requests.nvidia.com/gpu", new Quantity("1"));
    }

    @Test
    void aPodTheLeaseQuotaRefusesShowsInTheDeploymentStatusAsQuotaExceeded() {
        fixture.create(lease(13, fourCpus()));
        leaseWithPhase(13, Phase.PendingManifest);
        // Three replicas of 2 CPUs in a lease that bought 4: the quota admission plugin refuses the third pod.
        WorkloadService api = service("api", "ghcr.io/acme/api:1", 0, null, 8080);
        api.setReplicas(3);
        fixture.create(deployment("lease-13", "workload", 13L, api));

        GPUDeployment refused = fixture.awaitValue(
                () -> fixture.client.resources(GPUDeployment.class).inNamespace("lease-13").withName("workload").get(),
                d -> d.getStatus() != null && d.getStatus().getServices().stream().anyMatch(s -> "QuotaExceeded".equals(s.getReason())));

        assertThat(refused.getStatus().getPhase()).isEqualTo(GPUDeploymentStatus.Phase.Failed);
        assertThat(refused.getStatus().getLastError()).contains("service api").contains("exceeded quota: lease-quota")
                .contains("requests.cpu");
        assertThat(refused.getStatus().getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Ready");
            assertThat(c.getReason()).isEqualTo("QuotaExceeded");
        });
        SpheronLease lease = leaseWithPhase(13, Phase.Failed);
        assertThat(lease.getStatus().getMessage()).contains("exceeded quota");
    }

    @Test
    void aVolumeClaimTheLeaseQuotaRefusesShowsInTheDeploymentStatusAsQuotaExceeded() {
        fixture.create(lease(15, fourCpus()));
        leaseWithPhase(15, Phase.PendingManifest);
        // 20 GiB of persistent storage in a lease that bought 10: the quota refuses the StatefulSet's claim, which
        // Kubernetes 1.20 reports only as an event of the StatefulSet.
        fixture.create(deployment("lease-15", "workload", 15L,
                Manifests.withVolume(service("db", "postgres:16", 0, null, 5432), "data", 20480, "/var/lib/postgresql")));

        GPUDeployment refused = fixture.awaitValue(
                () -> fixture.client.resources(GPUDeployment.class).inNamespace("lease-15").withName("workload").get(),
                d -> d.getStatus() != null && d.getStatus().getServices().stream().anyMatch(s -> "QuotaExceeded".equals(s.getReason())));

        assertThat(refused.getStatus().getPhase()).isEqualTo(GPUDeploymentStatus.Phase.Failed);
        assertThat(refused.getStatus().getLastError()).contains("service db").contains("data-db-0")
                .contains("exceeded quota: lease-quota").contains("requests.storage");
    }

    @Test
    void kubectlShowsTheLeaseAndWorkloadColumns() throws Exception {
        fixture.create(lease(14, fourCpus()));
        leaseWithPhase(14, Phase.PendingManifest);
        fixture.create(deployment("lease-14", "workload", 14L, service("web", "nginx:1.27", 0, null, 80)));
        leaseWithPhase(14, Phase.Running);

        // The columns in the order the CRD generator writes them (sorted by JSON path), as README shows them; an
        // absent value is an empty cell.
        List<Map<String, String>> leases = table(kubectl("get", "spheronleases"));
        assertThat(leases.get(0).keySet()).containsExactly("NAME", "AGE", "LEASE", "GPUS", "MODEL", "TENANT", "CONFIRMED", "PHASE");
        assertThat(leases).filteredOn(row -> row.get("NAME").equals("lease-14")).singleElement().satisfies(row -> {
            // No chain side runs here, so nothing confirmed it on chain: an empty cell.
            assertThat(row).containsEntry("LEASE", "14").containsEntry("GPUS", "0").containsEntry("MODEL", "")
                    .containsEntry("TENANT", Manifests.TENANT).containsEntry("CONFIRMED", "").containsEntry("PHASE", "Running");
            assertThat(row.get("AGE")).matches("[0-9]+[sm]");
        });

        List<Map<String, String>> workloads = table(kubectl("get", "gpudeployments", "-A"));
        assertThat(workloads.get(0).keySet()).containsExactly("NAMESPACE", "NAME", "AGE", "MODEL", "GPUS", "PHASE", "READY", "URL");
        String url = fixture.client.resources(GPUDeployment.class).inNamespace("lease-14").withName("workload").get()
                .getStatus().getUrl();
        assertThat(url).startsWith("http://127.0.0.1:3");
        assertThat(workloads).filteredOn(row -> row.get("NAMESPACE").equals("lease-14")).singleElement().satisfies(row ->
                assertThat(row).containsEntry("NAME", "workload").containsEntry("MODEL", "").containsEntry("GPUS", "0")
                        .containsEntry("PHASE", "Running").containsEntry("READY", "1").containsEntry("URL", url));
    }

    /** Issue 14, "Kubernetes Events": kubectl describe tells what happened to a lease and to its workload. */
    @Test
    void kubectlDescribeTellsTheStoryOfTheLeaseAndOfItsWorkload() {
        fixture.create(lease(60, fourCpus()));
        leaseWithPhase(60, Phase.PendingManifest);
        fixture.create(deployment("lease-60", "workload", 60L, service("web", "nginx:1.27", 0, null, 80)));
        leaseWithPhase(60, Phase.Running);

        String lease = fixture.awaitValue(() -> String.join("\n", kubectl("describe", "spheronlease", "lease-60")),
                out -> out.contains("Running") && out.contains("NamespaceReady") && out.contains("PendingManifest"));
        assertThat(lease).contains("Events:").contains(EventRecorder.COMPONENT).contains("waiting for the tenant's manifest");
        String workload = fixture.awaitValue(() -> String.join("\n", kubectl("describe", "gpudeployment", "workload", "-n", "lease-60")),
                out -> out.contains("Normal") && out.contains("every service has its replicas ready"));
        assertThat(workload).contains("Events:").contains("Running");
    }

    /**
     * Issue 14, "retries that match the docs": JOSDK's default retry gives up after 5 attempts (about 30 s), after
     * which a lease whose reconcile failed waits for an event that may never come. The namespace here is Terminating
     * (held by a finalizer), so the API server refuses the lease's quota in it until the namespace is gone.
     */
    @Test
    void aFailingLeaseIsRetriedPastFiveAttemptsAndHealsOnceTheClusterLetsIt() {
        fixture.create(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName("lease-61").endMetadata().build());
        ConfigMap hold = fixture.create(new ConfigMapBuilder().withNewMetadata().withName("hold").withNamespace("lease-61")
                .withFinalizers("openspheron.org/test-hold").endMetadata().build());
        fixture.client.namespaces().withName("lease-61").delete();
        SpheronLease created = fixture.create(lease(61, fourCpus()));

        SpheronLease failing = fixture.awaitValue(() -> read(61), l -> l.getStatus() != null && l.getStatus().getConditions().stream()
                .anyMatch(c -> SpheronLeaseReconciler.RECONCILE_ERROR.equals(c.getReason())));
        assertThat(failing.getStatus().getMessage()).contains("reconcile failed, retrying");
        fixture.awaitValue(() -> fixture.failedReconciles(created), n -> n >= 8);
        assertThat(fixture.client.v1().events().inNamespace(EventRecorder.CLUSTER_SCOPED_NAMESPACE).list().getItems())
                .filteredOn(e -> created.getMetadata().getUid().equals(e.getInvolvedObject().getUid()))
                .anySatisfy(e -> {
                    assertThat(e.getType()).isEqualTo("Warning");
                    assertThat(e.getReason()).isEqualTo(SpheronLeaseReconciler.RECONCILE_ERROR);
                });

        fixture.client.configMaps().inNamespace("lease-61").withName("hold").edit(c -> {
            c.getMetadata().setFinalizers(List.of());
            return c;
        });

        SpheronLease healed = fixture.awaitValue(() -> read(61), l -> l.getStatus() != null && l.getStatus().getConditions().stream()
                .anyMatch(c -> SpheronLeaseReconciler.NAMESPACE_READY.equals(c.getType()) && Condition.TRUE.equals(c.getStatus())));
        assertThat(healed.getStatus().getPhase()).isEqualTo(Phase.PendingManifest);
        assertThat(fixture.client.resourceQuotas().inNamespace("lease-61").withName("lease-quota").get()).isNotNull();
        assertThat(hold.getMetadata().getUid()).isNotNull();
    }

    /** Issue 14: a namespace stuck Terminating gets a condition, a Warning Event and a count in the gauge. */
    @Test
    void aNamespaceStuckTerminatingIsReportedAndTheLeaseClosesOnceItGoes() {
        fixture.create(lease(62, fourCpus()));
        leaseWithPhase(62, Phase.PendingManifest);
        fixture.create(new ConfigMapBuilder().withNewMetadata().withName("hold").withNamespace("lease-62")
                .withFinalizers("openspheron.org/test-hold").endMetadata().build());

        fixture.client.resources(SpheronLease.class).withName("lease-62").edit(l -> {
            l.getSpec().setChainState(ChainState.Closed);
            return l;
        });

        SpheronLease stuck = fixture.awaitValue(() -> read(62), l -> l.getStatus() != null && l.getStatus().getConditions().stream()
                .anyMatch(c -> SpheronLeaseReconciler.NAMESPACE_STUCK.equals(c.getType()) && Condition.TRUE.equals(c.getStatus())));
        assertThat(stuck.getStatus().getPhase()).isEqualTo(Phase.Closing);
        assertThat(stuck.getStatus().getConditions()).filteredOn(c -> SpheronLeaseReconciler.NAMESPACE_STUCK.equals(c.getType()))
                .singleElement().satisfies(c -> assertThat(c.getMessage()).contains("Terminating for").contains("openspheron.org/test-hold"));
        assertThat(fixture.leases.stuckNamespaces()).isPositive();
        assertThat(fixture.client.v1().events().inNamespace(EventRecorder.CLUSTER_SCOPED_NAMESPACE).list().getItems())
                .filteredOn(e -> stuck.getMetadata().getUid().equals(e.getInvolvedObject().getUid()))
                .anySatisfy(e -> {
                    assertThat(e.getType()).isEqualTo("Warning");
                    assertThat(e.getReason()).isEqualTo("NamespaceStuckTerminating");
                });

        fixture.client.configMaps().inNamespace("lease-62").withName("hold").edit(c -> {
            c.getMetadata().setFinalizers(List.of());
            return c;
        });

        SpheronLease closed = leaseWithPhase(62, Phase.Closed);
        assertThat(closed.getStatus().getConditions()).filteredOn(c -> SpheronLeaseReconciler.NAMESPACE_STUCK.equals(c.getType()))
                .singleElement().satisfies(c -> assertThat(c.getStatus()).isEqualTo(Condition.FALSE));
    }

    /** Issue 14, "closed leases are garbage-collected after a retention period" (45 s here, 7 days by default). */
    @Test
    void anEndedLeasesObjectIsDeletedOnceItsRetentionHasPassed() {
        fixture.create(lease(63, fourCpus()));
        leaseWithPhase(63, Phase.PendingManifest);
        fixture.client.resources(SpheronLease.class).withName("lease-63").edit(l -> {
            l.getSpec().setChainState(ChainState.Failed);
            return l;
        });

        SpheronLease ended = leaseWithPhase(63, Phase.Failed);
        assertThat(ended.getStatus().getEndedAt()).isNotNull();
        assertThat(read(63)).as("kept for the retention").isNotNull();

        org.awaitility.Awaitility.await().atMost(OperatorFixture.UPKEEP.closedLeaseRetention().plus(OperatorFixture.TIMEOUT))
                .pollInterval(java.time.Duration.ofMillis(500)).until(() -> read(63) == null);
        assertThat(java.time.Duration.between(java.time.Instant.parse(ended.getStatus().getEndedAt()), java.time.Instant.now()))
                .isGreaterThanOrEqualTo(OperatorFixture.UPKEEP.closedLeaseRetention());
        assertThat(removedOnChainSide).contains("lease-63");
    }

    /** kubectl's table as rows of column to cell, cut where the header's columns start. */
    private static List<Map<String, String>> table(List<String> lines) {
        String header = lines.get(0);
        List<Integer> starts = new ArrayList<>();
        java.util.regex.Matcher column = java.util.regex.Pattern.compile("\\S+").matcher(header);
        List<String> names = new ArrayList<>();
        while (column.find()) {
            starts.add(column.start());
            names.add(column.group());
        }
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            Map<String, String> row = new java.util.LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                int from = Math.min(starts.get(i), line.length());
                int to = i + 1 < names.size() ? Math.min(starts.get(i + 1), line.length()) : line.length();
                row.put(names.get(i), line.substring(from, to).trim());
            }
            rows.add(row);
        }
        return rows;
    }

    /** The harness's kubectl (1.20.2, as the servers) against the cluster: its output lines. */
    private static List<String> kubectl(String... args) {
        return fixture.cluster.runKubectl(args).ok().output().lines().toList();
    }
}
