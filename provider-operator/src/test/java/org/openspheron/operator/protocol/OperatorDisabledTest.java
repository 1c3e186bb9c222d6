package org.openspheron.operator.protocol;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openspheron.operator.app.DevClusterResource;

/**
 * The application starts with the protocol side switched off: no key, no chain, no addresses needed. The operator
 * still starts, against a real control plane.
 */
@QuarkusTest
@WithTestResource(DevClusterResource.class)
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
