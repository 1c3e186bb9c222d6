package org.openspheron.operator.app;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;
import org.openspheron.devnet.DevCluster;
import org.openspheron.operator.OperatorFixture;

/**
 * A real control plane ({@link DevCluster}) with the CRDs applied, for tests of the packaged application's wiring:
 * the application's client reaches it with the cluster's CA and an admin client certificate, as it would any
 * cluster from a kubeconfig.
 */
public class DevClusterResource implements QuarkusTestResourceLifecycleManager {
    static DevCluster cluster;

    @Override
    public Map<String, String> start() {
        cluster = DevCluster.start(OperatorFixture.NODES);
        cluster.applyDirectory(OperatorFixture.generatedCrds());
        Map<String, String> config = new HashMap<>(cluster.adminClientConfig());
        config.put("quarkus.kubernetes-client.namespace", "default");
        config.put("spheron.operator.public-host", "gpu.provider.example");
        return config;
    }

    /** The cluster the application under test runs against. */
    public static DevCluster cluster() {
        return cluster;
    }

    @Override
    public void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }
}
