package org.openspheron.devservices.deployment;

import static io.restassured.RestAssured.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.QuarkusDevModeTest;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import java.util.List;
import org.openspheron.chain.LocalChain;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.http.HttpService;

/** Under quarkus dev the chain is started once: a live reload keeps it, with its state, at the same URL. */
class DevChainSurvivesLiveReloadTest {
    @RegisterExtension
    static final QuarkusDevModeTest DEV = new QuarkusDevModeTest()
            .withApplicationRoot(jar -> jar.addClass(RpcUrlResource.class));

    @Test
    void aLiveReloadKeepsTheRunningChain() throws IOException {
        String before = get("/rpc-url").then().statusCode(200).extract().asString();
        assertThat(before).startsWith("v1 http://127.0.0.1:");
        String rpcUrl = before.substring(3);
        // anvil numbers snapshots from 0 in each process: the second one is 0x1 only on the same chain
        assertThat(snapshot(rpcUrl)).isEqualTo("0x0");

        DEV.modifySourceFile(RpcUrlResource.class, source -> source.replace("\"v1 \"", "\"v2 \""));
        String after = get("/rpc-url").then().statusCode(200).extract().asString();

        assertThat(after).isEqualTo("v2 " + rpcUrl);
        assertThat(snapshot(rpcUrl)).isEqualTo("0x1");
    }

    private static String snapshot(String rpcUrl) throws IOException {
        return String.valueOf(new Request<>("evm_snapshot", List.of(), new HttpService(rpcUrl), LocalChain.GenericResponse.class)
                .send().getResult());
    }
}
