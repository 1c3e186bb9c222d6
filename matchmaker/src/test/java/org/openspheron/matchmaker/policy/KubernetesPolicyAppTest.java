package org.openspheron.matchmaker.policy;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openspheron.devnet.DevCluster;
import org.openspheron.devnet.GpuNode;
import org.openspheron.matchmaker.api.AnvilProtocol;
import org.openspheron.matchmaker.scoring.ScoringPolicy;

/**
 * The packaged wiring: with {@code spheron.matchmaker.policy.kubernetes.enabled=true} the app follows the
 * MatchingPolicy on a real API server, under its own ServiceAccount and Role, and its public {@code /policy} shows
 * what it ranks with.
 */
@QuarkusTest
@TestProfile(KubernetesPolicyAppTest.Enabled.class)
class KubernetesPolicyAppTest {
    static final String NAMESPACE = "spheron-matchmaker";
    static final String ACCOUNT = "spheron-matchmaker";

    public static class Enabled implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("spheron.matchmaker.policy.kubernetes.enabled", "true",
                    "spheron.matchmaker.policy.kubernetes.name", "ours");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(AnvilProtocol.class), new TestResourceEntry(ApiServer.class));
        }
    }

    /**
     * A real control plane (bin/spheron-k8s) with the generated CRD and the matchmaker's namespace, ServiceAccount and
     * Role from k8s/matchmaker/; the app reaches it with that ServiceAccount's token, as from its pod.
     */
    public static class ApiServer implements QuarkusTestResourceLifecycleManager {
        static DevCluster cluster;

        @Override
        public Map<String, String> start() {
            cluster = DevCluster.start(List.of(new GpuNode("cpu-0", "", 0, 4, 8, "eu-west-1a")));
            cluster.applyDirectory(Path.of("target", "crds"));
            for (String file : List.of("00-namespace.yaml", "10-serviceaccount.yaml", "20-rbac.yaml")) {
                cluster.applyFile(Path.of("..", "k8s", "matchmaker", file));
            }
            return Map.of("quarkus.kubernetes-client.api-server-url", cluster.url(),
                    "quarkus.kubernetes-client.ca-cert-data", cluster.caCertData(),
                    "quarkus.kubernetes-client.namespace", NAMESPACE,
                    "quarkus.kubernetes-client.token", cluster.serviceAccountToken(NAMESPACE, ACCOUNT));
        }

        @Override
        public void stop() {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    @Test
    void aMatchingPolicyInTheAppsNamespaceBecomesThePolicyItRanksWith() {
        given().when().get("/policy").then().statusCode(200);
        assertThat(policy().getString("fingerprint")).isEqualTo(ScoringPolicy.defaults().fingerprint());

        MatchingPolicy policy = new MatchingPolicy();
        policy.setMetadata(new ObjectMetaBuilder().withName("ours").withNamespace(NAMESPACE).build());
        MatchingPolicySpec spec = new MatchingPolicySpec();
        spec.setRequireAvailableGpus(false);
        spec.setDrawSize(3);
        policy.setSpec(spec);
        ApiServer.cluster.client().resources(MatchingPolicy.class).inNamespace(NAMESPACE).resource(policy).create();

        ScoringPolicy expected = new ScoringPolicy(ScoringPolicy.Weights.defaults(), false, 3, 0.1, 7200);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(policy().getString("fingerprint")).isEqualTo(expected.fingerprint()));
        assertThat(policy().getString("source")).contains("MatchingPolicy " + NAMESPACE + "/ours");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            MatchingPolicyStatus status = ApiServer.cluster.client().resources(MatchingPolicy.class)
                    .inNamespace(NAMESPACE).withName("ours").get().getStatus();
            assertThat(status).isNotNull();
            assertThat(status.getFingerprint()).isEqualTo(expected.fingerprint());
        });
        // It was the app's ServiceAccount that read the policy and wrote its status, and RBAC refused it nothing.
        String user = "system:serviceaccount:" + NAMESPACE + ":" + ACCOUNT;
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(ApiServer.cluster.requestsBy(user))
                .anyMatch(r -> r.verb().equals("update") && r.rbacResource().equals("matchingpolicies/status")));
        assertThat(ApiServer.cluster.requestsBy(user)).noneMatch(r -> r.code() == 401 || r.code() == 403);
    }

    private static JsonPath policy() {
        return given().when().get("/policy").then().statusCode(200).extract().jsonPath();
    }
}
