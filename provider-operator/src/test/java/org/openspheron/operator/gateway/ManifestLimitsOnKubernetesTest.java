package org.openspheron.operator.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.openspheron.operator.Manifests.deployment;
import static org.openspheron.operator.Manifests.service;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openspheron.manifest.ManifestException;
import org.openspheron.manifest.ManifestLimits;
import org.openspheron.manifest.ManifestParser;
import org.openspheron.operator.OperatorFixture;
import org.openspheron.operator.deployment.GPUDeployment;
import org.openspheron.operator.deployment.GPUDeploymentStatus;
import org.openspheron.operator.deployment.WorkloadService;

/**
 * The parser, the gateway and the API server agree on the limits ({@link ManifestLimits}): a manifest at each
 * boundary goes through the parser and the gateway's translation onto a real API server and runs; one past it is
 * refused by the parser with the field named, and the GPUDeployment CRD refuses it too, should one be applied by
 * hand.
 */
class ManifestLimitsOnKubernetesTest {
    private static final String LONGEST_NAME = "s" + "a".repeat(ManifestLimits.MAX_SERVICE_NAME - 2) + "1";
    private static final StorageClasses STORAGE_CLASSES = new StorageClasses(java.util.Map.of("beta3", "no-volumes"));
    private static OperatorFixture fixture;
    private static LeaseCluster leases;

    @BeforeAll
    static void start() {
        fixture = OperatorFixture.start();
        fixture.cluster.addVolumes(2, "10Gi");
        leases = new LeaseCluster(fixture.client, Duration.ZERO);
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    /** An ICL manifest of one service with a persistent volume and a global port. */
    private static String manifest(String service, int count) {
        return manifest(service, count, null);
    }

    /** As {@link #manifest(String, int)}, the persistent volume of storage class {@code volumeClass} (null: none named). */
    private static String manifest(String service, int count, String volumeClass) {
        return """
                version: "1.0"
                services:
                  %1$s:
                    image: postgres:16
                    expose:
                      - port: 5432
                        to:
                          - global: true
                    params:
                      storage:
                        data:
                          mount: /var/lib/postgresql
                profiles:
                  name: limits
                  mode: provider
                  compute:
                    db:
                      resources:
                        cpu:
                          units: 0.5
                        memory:
                          size: 512Mi
                        storage:
                          - size: 1Gi
                          - name: data
                            size: 1Gi
                            attributes:
                              persistent: true%3$s
                  placement:
                    anywhere:
                      pricing:
                        db:
                          token: uSPON
                          amount: 1
                deployment:
                  %1$s:
                    anywhere:
                      profile: db
                      count: %2$d
                """.formatted(service, count, volumeClass == null ? "" : "\n              class: " + volumeClass);
    }

    /**
     * What the gateway does with an accepted manifest, into a fresh lease namespace, on a provider whose beta3 class
     * has no volume at all (a volume naming no class gets the cluster's): a claim of beta3 stays pending and takes
     * none of the volumes another test needs.
     */
    private static GPUDeployment accept(long leaseId, String yaml) {
        fixture.create(new NamespaceBuilder().withNewMetadata().withName(LeaseCluster.namespace(leaseId)).endMetadata().build());
        LeaseWorkload workload = ManifestDeploymentTest.ordered(leaseId, ManifestParser.parse(yaml), STORAGE_CLASSES);
        leases.apply(workload);
        return leases.deployment(leaseId).orElseThrow();
    }

    @Test
    void theLongestServiceNameRunsAsAStatefulSetBehindItsExtService() {
        assertThat(LONGEST_NAME).hasSize(52);

        accept(31, manifest(LONGEST_NAME, 1));

        fixture.awaitValue(() -> leases.deployment(31).orElse(null),
                d -> d.getStatus() != null && d.getStatus().getPhase() == GPUDeploymentStatus.Phase.Running);
        assertThat(fixture.client.apps().statefulSets().inNamespace("lease-31").withName(LONGEST_NAME).get()).isNotNull();
        assertThat(fixture.client.services().inNamespace("lease-31").withName(LONGEST_NAME + "-ext").get()).isNotNull();
        Pod pod = fixture.client.pods().inNamespace("lease-31").withName(LONGEST_NAME + "-0").get();
        assertThat(pod.getMetadata().getLabels().get("controller-revision-hash")).startsWith(LONGEST_NAME + "-").hasSizeLessThanOrEqualTo(63);
    }

    @Test
    void aServiceNameOnePastTheLimitIsRefusedByTheParserAndByTheApiServer() {
        String tooLong = LONGEST_NAME + "x";

        assertThatThrownBy(() -> ManifestParser.parse(manifest(tooLong, 1))).isInstanceOfSatisfying(ManifestException.class,
                e -> assertThat(e.field()).isEqualTo("services." + tooLong));
        assertRefusedByTheApiServer(deployment(namespace("too-long"), "by-hand", null, service(tooLong, "postgres:16", 0, null, 5432)),
                "spec.services.name");
        assertRefusedByTheApiServer(deployment("too-long", "digit", null, service("1web", "nginx:1.27", 0, null, 80)),
                "spec.services.name");
    }

    @Test
    void aHundredReplicasReachTheWorkloadAndOneMoreIsRefusedByTheParserAndByTheApiServer() {
        // Of a class with no volume: its first pod stays pending, so the StatefulSet starts none of its 100 pods and
        // binds none of the two volumes the StatefulSet test needs (claims outlive their StatefulSet).
        GPUDeployment accepted = accept(32, manifest("db", ManifestLimits.MAX_REPLICAS, "beta3"));

        assertThat(accepted.getSpec().getServices().get(0).getReplicas()).isEqualTo(100);
        var set = fixture.awaitValue(() -> fixture.client.apps().statefulSets().inNamespace("lease-32").withName("db").get(), s -> true);
        assertThat(set.getSpec().getReplicas()).isEqualTo(100);
        assertThat(fixture.client.persistentVolumeClaims().inNamespace("lease-32").withName("data-db-0").get())
                .satisfiesAnyOf(c -> assertThat(c).isNull(), c -> assertThat(c.getSpec().getStorageClassName()).isEqualTo("no-volumes"));
        fixture.client.resource(accepted).delete();

        assertThatThrownBy(() -> ManifestParser.parse(manifest("db", ManifestLimits.MAX_REPLICAS + 1)))
                .isInstanceOfSatisfying(ManifestException.class, e -> assertThat(e.field()).isEqualTo("deployment.db.anywhere.count"));
        WorkloadService many = service("api", "ghcr.io/acme/api:1", 0, null, 8080);
        many.setReplicas(ManifestLimits.MAX_REPLICAS + 1);
        assertRefusedByTheApiServer(deployment(namespace("too-many"), "by-hand", null, many), "spec.services.replicas");
    }

    @Test
    void aGpuCountPastTheLimitIsRefusedByTheApiServerToo() {
        assertRefusedByTheApiServer(deployment(namespace("too-many-gpus"), "by-hand", null,
                service("train", "pytorch/pytorch:2.4", ManifestLimits.MAX_GPUS_PER_REPLICA + 1, "H100")),
                "spec.services.resources.gpuCount");
    }

    private static String namespace(String name) {
        if (fixture.client.namespaces().withName(name).get() == null) {
            fixture.create(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build());
        }
        return name;
    }

    /** Refused by the CRD's schema: 422, the cause naming {@code field} (1.20 names list items without an index). */
    private static void assertRefusedByTheApiServer(GPUDeployment deployment, String field) {
        assertThatThrownBy(() -> fixture.create(deployment)).isInstanceOfSatisfying(KubernetesClientException.class, e -> {
            assertThat(e.getCode()).isEqualTo(422);
            assertThat(e.getStatus().getDetails().getCauses()).anySatisfy(c -> assertThat(c.getField()).isEqualTo(field));
        });
        assertThat(fixture.client.resource(deployment).get()).isNull();
    }
}
