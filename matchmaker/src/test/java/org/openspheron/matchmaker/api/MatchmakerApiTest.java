package org.openspheron.matchmaker.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.openspheron.chain.ProtocolFixture.gpuOrder;
import static org.openspheron.chain.ProtocolFixture.tokens;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.QuarkusTestResource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Singleton;
import java.util.List;
import org.openspheron.matchmaker.scoring.ScoringPolicy;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.smallrye.jwt.build.Jwt;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.Lease;
import org.openspheron.chain.MatchmakerClient;
import org.openspheron.chain.ProtocolReader;
import org.web3j.crypto.Keys;
import org.web3j.utils.Numeric;

/** The app as operator 0 on a real anvil; the test plays operator 1 over the authenticated HTTP API. */
@QuarkusTest
@QuarkusTestResource(value = AnvilProtocol.class, restrictToAnnotatedClass = true)
class MatchmakerApiTest {

    @Test
    void unauthenticatedOrUntrustedCallsToQuorumAndAdminGet401() {
        given().when().get("/quorum/orders/1").then().statusCode(401);
        given().contentType("application/json").body("{}").when().post("/quorum/signatures").then().statusCode(401);
        given().when().post("/admin/reconcile").then().statusCode(401);
        given().auth().oauth2(token(AnvilProtocol.stranger, AnvilProtocol.PEER_KID, "0xabc", "operator"))
                .when().get("/quorum/orders/1").then().statusCode(401);
    }

    @Test
    void adminCallsNeedThisOperatorAsSubject() {
        String operator = AnvilProtocol.operatorAddress();
        given().auth().oauth2(token(AnvilProtocol.self, operator, operator, "admin"))
                .when().post("/admin/reconcile").then().statusCode(202);
        given().auth().oauth2(token(AnvilProtocol.peer, AnvilProtocol.PEER_KID, "0xsomeone", "admin"))
                .when().post("/admin/reconcile").then().statusCode(403);
        given().auth().oauth2(token(AnvilProtocol.peer, AnvilProtocol.PEER_KID, "0xsomeone", "operator"))
                .when().post("/admin/reconcile").then().statusCode(403);
    }

    @Test
    void peerSignatureOverHttpCompletesTheQuorumAndTheLeaseGoesToThePick() {
        var fixture = AnvilProtocol.fixture;
        long orderId = fixture.tenant(0).createOrder(gpuOrder(1, "H100", "eu-west", tokens(10)), tokens(100));
        fixture.provider(0).submitBid(orderId, tokens(7));
        fixture.provider(1).submitBid(orderId, tokens(3));
        fixture.provider(2).submitBid(orderId, tokens(1));
        fixture.closeBidWindow(orderId);

        JsonPath decision = await(orderId, "signing");
        assertThat(decision.getString("policy")).isEqualTo(ScoringPolicy.defaults().fingerprint());
        int pick = decision.getInt("pick");
        String seed = decision.getString("seed");
        assertThat(decision.getList("ranking")).hasSize(3);
        Map<String, Object> best = decision.getMap("ranking[0]");
        assertThat(best).containsKeys("placement", "price", "uptime", "reputation", "availability", "slashes", "score");
        double sum = ((Number) best.get("placement")).doubleValue() + ((Number) best.get("price")).doubleValue()
                + ((Number) best.get("uptime")).doubleValue() + ((Number) best.get("reputation")).doubleValue()
                + ((Number) best.get("availability")).doubleValue() + ((Number) best.get("slashes")).doubleValue();
        assertThat(((Number) best.get("score")).doubleValue()).isCloseTo(sum, org.assertj.core.data.Offset.offset(1e-6));

        // (rest-assured reads JSON numbers as floats, hence the tolerance.)
        // The app holds its own signature and hands it to peers.
        given().auth().oauth2(peerToken()).when().get("/quorum/orders/" + orderId).then().statusCode(200)
                .body("signatures[0].signer", equalTo(AnvilProtocol.operatorAddress()));

        ProtocolReader reader = fixture.reader();
        MatchmakerClient.MatchSignature mine = fixture.matchmaker(1).sign(reader.matchDigest(orderId, pick, seed));
        given().auth().oauth2(peerToken()).contentType("application/json")
                .body(Map.of("orderId", orderId, "bidIndex", pick, "seed", seed,
                        "signer", mine.signer(), "signature", Numeric.toHexString(mine.bytes())))
                .when().post("/quorum/signatures").then().statusCode(202);

        JsonPath matched = await(orderId, "matched", true);
        Lease lease = reader.requireLease(matched.getLong("leaseId"));
        assertThat(lease.orderId()).isEqualTo(orderId);
        assertThat(lease.provider()).isEqualToIgnoringCase(matched.getString("pickedProvider"));
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("spheron_matchmaker_matches_submitted_total"))
                .body(containsString("spheron_matchmaker_window_to_lease_seconds"));
    }

    @Test
    void signatureFromAnAccountThatIsNoOperatorIsRefused() {
        var fixture = AnvilProtocol.fixture;
        long orderId = fixture.tenant(1).createOrder(gpuOrder(1, "H100", "eu-west", tokens(10)), tokens(100));
        fixture.provider(0).submitBid(orderId, tokens(5));
        fixture.closeBidWindow(orderId);
        String seed = fixture.reader().seed(orderId).orElseThrow();
        byte[] digest = fixture.reader().matchDigest(orderId, 0, seed);
        var forged = MatchmakerClient.MatchSignature.sign(digest, fixture.tenantKey(1));

        given().auth().oauth2(peerToken()).contentType("application/json")
                .body(Map.of("orderId", orderId, "bidIndex", 0, "seed", seed, "signer", forged.signer(),
                        "signature", Numeric.toHexString(forged.bytes())))
                .when().post("/quorum/signatures").then().statusCode(422)
                .body("error", containsString("is not a matchmaker operator"));
    }

    @Test
    void withoutTheKubernetesFeatureThePolicyIsThePropertiesOneAndNoClientIsBuilt() {
        given().when().get("/policy").then().statusCode(200)
                .body("fingerprint", equalTo(ScoringPolicy.defaults().fingerprint()))
                .body("source", containsString("properties"))
                .body("canonical", equalTo(ScoringPolicy.defaults().canonical()));
        for (Class<? extends java.lang.annotation.Annotation> scope : List.of(Singleton.class, ApplicationScoped.class)) {
            assertThat(Arc.container().getActiveContext(scope).getState().getContextualInstances().keySet())
                    .as("beans created in scope %s", scope.getSimpleName())
                    .noneMatch(bean -> bean.getTypes().contains(KubernetesClient.class));
        }
    }

    @Test
    void readyWhenTheChainAnswersAndUnknownOrdersAre404() {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (given().when().get("/q/health/ready").statusCode() != 200 && System.nanoTime() < deadline) {
            sleep(100);
        }
        given().when().get("/q/health/ready").then().statusCode(200).body("checks[0].data.reachable", equalTo(true));
        given().when().get("/orders/999999/decision").then().statusCode(404);
        given().when().get("/orders").then().statusCode(200);
    }

    private static JsonPath await(long orderId, String status) {
        return await(orderId, status, false);
    }

    /**
     * @param blocksFlow mine a block between polls, as a live chain would: the peer played by this test never sends
     *                   the match itself, so when the app is second in the order's submit order it sends only once its
     *                   turn's blocks have passed
     */
    private static JsonPath await(long orderId, String status, boolean blocksFlow) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonPath last = null;
        while (System.nanoTime() < deadline) {
            if (blocksFlow) {
                AnvilProtocol.fixture.chain().mine(1);
            }
            var response = given().when().get("/orders/" + orderId + "/decision");
            if (response.statusCode() == 200) {
                last = response.jsonPath();
                if (status.equals(last.getString("status"))) {
                    return last;
                }
            }
            sleep(100);
        }
        throw new AssertionError("order " + orderId + " never reached " + status + "; last: "
                + (last == null ? "none" : last.prettify()));
    }

    private static String peerToken() {
        return token(AnvilProtocol.peer, AnvilProtocol.PEER_KID,
                Keys.toChecksumAddress(AnvilProtocol.fixture.matchmakerKey(1).getAddress()), "operator");
    }

    static String token(KeyPair key, String kid, String subject, String group) {
        return Jwt.issuer("openspheron-matchmaker").subject(subject).groups(Set.of(group))
                .expiresIn(Duration.ofMinutes(5)).jws().keyId(kid).sign(key.getPrivate());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
