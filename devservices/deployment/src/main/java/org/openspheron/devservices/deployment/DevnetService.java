package org.openspheron.devservices.deployment;

import io.quarkus.deployment.builditem.Startable;
import java.nio.file.Path;
import java.util.Map;
import org.jboss.logging.Logger;
import org.openspheron.devnet.AppDevnet;

/**
 * The devnet as a Quarkus dev service: started by Quarkus just before the app (not at build time, so a build that
 * never runs the app starts nothing), kept across live reloads while its {@link AppDevnet.Plan} stays the same,
 * closed when dev mode or the test run ends.
 */
final class DevnetService implements Startable {
    private static final Logger LOG = Logger.getLogger(DevnetService.class);

    private final AppDevnet.Plan plan;
    private volatile AppDevnet devnet;
    private volatile Map<String, String> config;

    DevnetService(AppDevnet.Plan plan) {
        this.plan = plan;
    }

    @Override
    public void start() {
        devnet = AppDevnet.start(AppDevnet.findRoot(Path.of("")), plan);
        config = devnet.config();
        LOG.infof("Spheron dev services for the %s: %s. Set spheron.devservices.enabled=false, or configure "
                + "spheron.chain.rpc-url / quarkus.kubernetes-client.api-server-url, to use your own.",
                plan.app() == AppDevnet.App.MATCHMAKER ? "matchmaker" : "provider operator", devnet.describe());
    }

    /** One configuration value of the started devnet; every key of {@link AppDevnet#configKeys} has one. */
    String configValue(String key) {
        return config.get(key);
    }

    @Override
    public String getConnectionInfo() {
        return devnet == null ? "not started" : devnet.rpcUrl().or(devnet::apiServerUrl).orElse("");
    }

    @Override
    public String getContainerId() {
        return null;
    }

    @Override
    public void close() {
        if (devnet != null) {
            devnet.close();
            devnet = null;
        }
    }
}
