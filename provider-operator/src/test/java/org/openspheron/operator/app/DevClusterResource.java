package org.openspheron.operator.app;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import org.openspheron.devnet.DevCluster;
import org.openspheron.operator.OperatorFixture;

/** A DevCluster with the CRDs applied, for tests of the packaged application's wiring. */
public class DevClusterResource implements QuarkusTestResourceLifecycleManager {
    static DevCluster cluster;

    @Override
    public Map<String, String> start() {
        cluster = DevCluster.start(0, OperatorFixture.NODES, "127.0.0.1");
        cluster.applyDirectory(OperatorFixture.generatedCrds());
        return Map.of(
                "quarkus.kubernetes-client.api-server-url", cluster.url(),
                "quarkus.kubernetes-client.namespace", "default",
                "spheron.operator.public-host", "gpu.provider.example");
    }

    @Override
    public void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }
}
