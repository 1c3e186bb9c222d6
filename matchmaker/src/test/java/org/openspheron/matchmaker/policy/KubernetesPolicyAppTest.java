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
import org.openspheron.matchmaker.api.AnvilProtocol;
import org.openspheron.matchmaker.scoring.ScoringPolicy;

/**
 * The packaged wiring: with {@code spheron.matchmaker.policy.kubernetes.enabled=true} the app follows the
 * MatchingPolicy on a stand-in API server, and its public {@code /policy} shows what it ranks with.
 */
@QuarkusTest
@TestProfile(KubernetesPolicyAppTest.Enabled.class)
class KubernetesPolicyAppTest {
    static final String NAMESPACE = "spheron-matchmaker";

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

    /** The stand-in API server, with the generated CRD; the app's client defaults to its namespace. */
    public static class ApiServer implements QuarkusTestResourceLifecycleManager {
        static DevCluster cluster;

        @Override
        public Map<String, String> start() {
            cluster = DevCluster.start(0, List.of(), "127.0.0.1");
            cluster.applyDirectory(Path.of("target", "crds"));
            return Map.of("quarkus.kubernetes-client.api-server-url", cluster.url(),
                    "quarkus.kubernetes-client.namespace", NAMESPACE,
                    "quarkus.kubernetes-client.token", "devnet");
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
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(policy().getString("fingerprint")).isEqualTo(expected.fingerprint()));
        assertThat(policy().getString("source")).contains("MatchingPolicy " + NAMESPACE + "/ours");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            MatchingPolicyStatus status = ApiServer.cluster.client().resources(MatchingPolicy.class)
                    .inNamespace(NAMESPACE).withName("ours").get().getStatus();
            assertThat(status).isNotNull();
            assertThat(status.getFingerprint()).isEqualTo(expected.fingerprint());
        });
    }

    private static JsonPath policy() {
        return given().when().get("/policy").then().statusCode(200).extract().jsonPath();
    }
}
