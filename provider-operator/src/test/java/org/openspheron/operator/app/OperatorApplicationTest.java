package org.openspheron.operator.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static io.restassured.RestAssured.given;
import static org.openspheron.operator.Manifests.deployment;
import static org.openspheron.operator.Manifests.lease;
import static org.openspheron.operator.Manifests.service;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.openspheron.operator.deployment.GPUDeployment;
import org.openspheron.operator.deployment.GPUDeploymentStatus;
import org.openspheron.operator.lease.LeaseResources;
import org.openspheron.operator.lease.SpheronLease;
import org.openspheron.operator.lease.SpheronLeaseStatus;

/**
 * The application as packaged: Quarkus starts the operator on its configured client (the quarkus.kubernetes-client
 * settings of a real control plane, CA and client certificate included), with its configuration.
 */
@QuarkusTest
@WithTestResource(DevClusterResource.class)
class OperatorApplicationTest {
    @Inject
    KubernetesClient client;
    @Inject
    OperatorLifecycle lifecycle;

    @Test
    void theApplicationReconcilesLeasesAndDeploymentsOnTheConfiguredCluster() {
        assertThat(lifecycle.isRunning()).isTrue();
        client.resource(lease(21, new LeaseResources(8000, 32768, 20480, 2, "A100"))).create();
        await().atMost(Duration.ofSeconds(60)).until(() -> client.namespaces().withName("lease-21").get() != null);

        client.resource(deployment("lease-21", "workload", 21L, service("jupyter", "jupyter/base-notebook", 2, "A100", 8888))).create();

        GPUDeployment running = await().atMost(Duration.ofSeconds(60)).until(
                () -> client.resources(GPUDeployment.class).inNamespace("lease-21").withName("workload").get(),
                d -> d.getStatus() != null && d.getStatus().getPhase() == GPUDeploymentStatus.Phase.Running);
        assertThat(running.getStatus().getUrl()).startsWith("tcp://gpu.provider.example:");
        await().atMost(Duration.ofSeconds(60)).until(() -> client.resources(SpheronLease.class).withName("lease-21").get(),
                l -> l.getStatus() != null && l.getStatus().getPhase() == SpheronLeaseStatus.Phase.Running);
    }

    /**
     * Issue 14: readiness says whether this replica sees the cluster (its node and pod watches) and the chain, and
     * /q/metrics carries JOSDK's reconciles and the stuck-namespace gauge.
     */
    @Test
    void readinessAndMetricsTellTheProviderWhatTheOperatorSees() {
        client.resource(lease(22, new LeaseResources(1000, 1024, 1024, 0, null))).create();
        await().atMost(Duration.ofSeconds(60)).until(() -> client.resources(SpheronLease.class).withName("lease-22").get(),
                l -> l.getStatus() != null && l.getStatus().getPhase() == SpheronLeaseStatus.Phase.PendingManifest);

        String ready = await().atMost(Duration.ofSeconds(60)).until(
                () -> given().get("/q/health/ready").then().extract().asString(), body -> body.contains("\"status\": \"UP\"")
                        && !body.contains("\"DOWN\""));
        assertThat(ready).contains("\"kubernetes\"", "\"apiServer\"", "\"chain\"", "\"used\": false");

        String metrics = await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/q/metrics").then().extract().asString(),
                body -> body.contains("spheron_operator_reconciles_total{kind=\"SpheronLease\",result=\"success\"}"));
        assertThat(metrics).contains("spheron_operator_namespaces_stuck_terminating", "spheron_operator_reconcile_seconds_count");
    }
}
