package org.openspheron.operator.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.operator.Manifests.deployment;
import static org.openspheron.operator.Manifests.lease;
import static org.openspheron.operator.Manifests.service;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openspheron.operator.Manifests;
import org.openspheron.operator.OperatorFixture;
import org.openspheron.operator.app.OperatorConfig.ExposedServiceType;
import org.openspheron.operator.crd.Condition;
import org.openspheron.operator.lease.SpheronLeaseSpec.ChainState;
import org.openspheron.operator.lease.SpheronLeaseStatus.Phase;

class SpheronLeaseReconcilerTest {
    private static final List<String> removedOnChainSide = new CopyOnWriteArrayList<>();
    private static OperatorFixture fixture;

    @BeforeAll
    static void start() {
        fixture = OperatorFixture.start(ExposedServiceType.NodePort, Optional.empty(),
                lease -> removedOnChainSide.add(lease.getMetadata().getName()));
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private static SpheronLease leaseWithPhase(long id, Phase phase) {
        return fixture.awaitValue(() -> fixture.client.resources(SpheronLease.class).withName(SpheronLease.nameFor(id)).get(),
                l -> l.getStatus() != null && l.getStatus().getPhase() == phase);
    }

    private static LeaseResources oneH100() {
        return new LeaseResources(4000, 16384, 10240, 1, "H100");
    }

    @Test
    void aLeaseGetsItsOwnNamespaceWithQuotaNetworkPoliciesAndPodSecurityLabels() {
        SpheronLease created = fixture.create(lease(7, oneH100()));

        SpheronLease pending = leaseWithPhase(7, Phase.PendingManifest);

        Namespace namespace = fixture.client.namespaces().withName("lease-7").get();
        assertThat(namespace.getMetadata().getLabels())
                .containsEntry("openspheron.org/lease-id", "7")
                .containsEntry("openspheron.org/tenant", Manifests.TENANT.toLowerCase())
                .containsEntry("pod-security.kubernetes.io/enforce", "baseline")
                .containsEntry("pod-security.kubernetes.io/warn", "restricted")
                .containsEntry("pod-security.kubernetes.io/audit", "restricted");
        assertThat(namespace.getMetadata().getOwnerReferences()).singleElement().satisfies(r -> {
            assertThat(r.getKind()).isEqualTo("SpheronLease");
            assertThat(r.getUid()).isEqualTo(created.getMetadata().getUid());
        });
        ResourceQuota quota = fixture.client.resourceQuotas().inNamespace("lease-7").withName("lease-quota").get();
        assertThat(quota.getSpec().getHard())
                .containsEntry("requests.cpu", new Quantity("4000m"))
                .containsEntry("limits.memory", new Quantity("16384Mi"))
                .containsEntry("requests.ephemeral-storage", new Quantity("10240Mi"))
                .containsEntry("requests.storage", new Quantity("10240Mi"))
                .containsEntry("requests.nvidia.com/gpu", new Quantity("1"));
        NetworkPolicy deny = fixture.client.network().networkPolicies().inNamespace("lease-7").withName("default-deny").get();
        assertThat(deny.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
        assertThat(deny.getSpec().getIngress()).isEmpty();
        assertThat(deny.getSpec().getEgress()).isEmpty();
        NetworkPolicy traffic = fixture.client.network().networkPolicies().inNamespace("lease-7").withName("lease-traffic").get();
        assertThat(traffic.getSpec().getEgress()).filteredOn(rule -> rule.getTo().get(0).getIpBlock() != null).singleElement()
                .satisfies(rule -> {
                    assertThat(rule.getTo().get(0).getIpBlock().getCidr()).isEqualTo("0.0.0.0/0");
                    assertThat(rule.getTo().get(0).getIpBlock().getExcept()).contains("10.0.0.0/8", "169.254.0.0/16");
                });
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
    }

    @Test
    void closingTheLeaseOnChainRemovesItsNamespaceAndEverythingInIt() {
        fixture.create(lease(9, oneH100()));
        leaseWithPhase(9, Phase.PendingManifest);
        fixture.create(deployment("lease-9", "workload", 9L, service("llm", "vllm/vllm-openai:v0.6", 1, "H100", 8000)));
        leaseWithPhase(9, Phase.Running);

        fixture.client.resources(SpheronLease.class).withName("lease-9").edit(l -> {
            l.getSpec().setChainState(ChainState.Closed);
            return l;
        });

        SpheronLease closed = leaseWithPhase(9, Phase.Closed);
        assertThat(fixture.client.namespaces().withName("lease-9").get()).isNull();
        // DevCluster's namespace controller sweeps the built-in kinds (custom resources go by owner reference on a
        // real cluster, which the stand-in server does not garbage-collect).
        fixture.awaitValue(() -> fixture.client.pods().inNamespace("lease-9").list().getItems(), List::isEmpty);
        fixture.awaitValue(() -> fixture.client.apps().deployments().inNamespace("lease-9").list().getItems(), List::isEmpty);
        fixture.awaitValue(() -> fixture.client.resourceQuotas().inNamespace("lease-9").list().getItems(), List::isEmpty);
        fixture.awaitValue(() -> fixture.client.network().networkPolicies().inNamespace("lease-9").list().getItems(), List::isEmpty);
        assertThat(closed.getStatus().getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo(SpheronLeaseReconciler.NAMESPACE_READY);
            assertThat(c.getReason()).isEqualTo("Removed");
        });
    }

    @Test
    void deletingTheLeaseRemovesItsNamespaceAndTellsTheChainSideBeforeTheObjectGoes() {
        fixture.create(lease(10, oneH100()));
        SpheronLease pending = leaseWithPhase(10, Phase.PendingManifest);
        assertThat(pending.getMetadata().getFinalizers()).isNotEmpty();

        fixture.client.resources(SpheronLease.class).withName("lease-10").delete();

        fixture.awaitValue(() -> fixture.client.resources(SpheronLease.class).withName("lease-10").get() == null, gone -> gone);
        assertThat(fixture.client.namespaces().withName("lease-10").get()).isNull();
        assertThat(removedOnChainSide).contains("lease-10");
    }

    @Test
    void aSecondPassWritesNothingToTheLeasesObjects() {
        fixture.create(lease(11, oneH100()));
        leaseWithPhase(11, Phase.PendingManifest);
        Map<String, String> before = resourceVersions("lease-11");

        // A spec change the objects do not depend on: the lease reconciles again, observing a new generation.
        SpheronLease edited = fixture.client.resources(SpheronLease.class).withName("lease-11").edit(l -> {
            l.getSpec().setPricePerHour("2600000");
            return l;
        });
        fixture.awaitValue(() -> fixture.client.resources(SpheronLease.class).withName("lease-11").get(),
                l -> l.getStatus().getObservedGeneration().equals(edited.getMetadata().getGeneration()));

        assertThat(resourceVersions("lease-11")).isEqualTo(before);
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

    private static Map<String, String> resourceVersions(String namespace) {
        Map<String, String> versions = new TreeMap<>();
        versions.put("namespace", fixture.client.namespaces().withName(namespace).get().getMetadata().getResourceVersion());
        versions.put("quota", fixture.client.resourceQuotas().inNamespace(namespace).withName("lease-quota").get().getMetadata().getResourceVersion());
        for (NetworkPolicy p : fixture.client.network().networkPolicies().inNamespace(namespace).list().getItems()) {
            versions.put("policy/" + p.getMetadata().getName(), p.getMetadata().getResourceVersion());
        }
        assertThat(versions).hasSize(4);
        return versions;
    }
}
