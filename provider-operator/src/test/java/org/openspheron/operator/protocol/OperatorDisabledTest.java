package org.openspheron.operator.protocol;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The application starts with the protocol side switched off: no key, no chain, no addresses needed. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(OperatorDisabledTest.ProtocolOff.class)
class OperatorDisabledTest {
    public static class ProtocolOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("spheron.provider.enabled", "false",
                    "spheron.chain.rpc-url", "http://127.0.0.1:1",
                    "quarkus.kubernetes-client.devservices.enabled", "false");
        }
    }

    @Test
    void registrationIsRefusedWhileTheProtocolSideIsOff() {
        given().when().post("/admin/register")
                .then().statusCode(409)
                .body(containsString("spheron.provider.enabled=false"));
    }
}
