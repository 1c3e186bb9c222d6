package org.openspheron.devservices.deployment;

import io.quarkus.deployment.Capabilities;
import io.quarkus.deployment.Capability;
import io.quarkus.deployment.IsNormal;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.BuildSteps;
import io.quarkus.deployment.builditem.DevServicesResultBuildItem;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.deployment.builditem.LaunchModeBuildItem;
import io.quarkus.deployment.dev.devservices.DevServicesConfig;
import io.quarkus.runtime.LaunchMode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;
import org.openspheron.devnet.AppDevnet;

/**
 * Under {@code quarkus dev}, gives the matchmaker or the provider operator a chain to talk to (a real anvil with the
 * protocol deployed) and the provider operator a real Kubernetes control plane (bin/spheron-k8s, hollow GPU nodes), unless the
 * developer configured their own. In test mode only when {@code spheron.devservices.enabled=true}: the apps' tests
 * start their own chains.
 */
@BuildSteps(onlyIfNot = IsNormal.class, onlyIf = DevServicesConfig.Enabled.class)
final class SpheronDevServicesProcessor {
    static final String FEATURE = "spheron-devservices";
    static final String ENABLED = "spheron.devservices.enabled";
    static final String APP = "spheron.devservices.app";
    static final String CHAIN_PORT = "spheron.devservices.chain-port";
    /** Any of these set means the developer brought a chain. */
    static final List<String> CHAIN_KEYS = List.of("spheron.chain.rpc-url", "spheron.protocol.addresses-file",
            "spheron.protocol.orders");
    /** Any of these set means the developer brought a cluster. */
    static final List<String> CLUSTER_KEYS = List.of("quarkus.kubernetes-client.api-server-url");

    private static final Logger LOG = Logger.getLogger(SpheronDevServicesProcessor.class);

    @BuildStep
    FeatureBuildItem feature() {
        return new FeatureBuildItem(FEATURE);
    }

    @BuildStep
    void devnet(LaunchModeBuildItem launchMode, Capabilities capabilities,
            BuildProducer<DevServicesResultBuildItem> results) {
        Config config = ConfigProvider.getConfig();
        Optional<Boolean> enabled = config.getOptionalValue(ENABLED, Boolean.class);
        boolean wanted = launchMode.getLaunchMode() == LaunchMode.TEST ? enabled.orElse(false) : enabled.orElse(true);
        if (!wanted) {
            LOG.debugf("Spheron dev services off (%s=%s, launch mode %s)", ENABLED, enabled.orElse(null),
                    launchMode.getLaunchMode());
            return;
        }
        plan(config, capabilities, System.getenv("KUBECONFIG")).ifPresentOrElse(
                plan -> results.produce(result(plan)),
                () -> LOG.debug("Spheron dev services not started: the chain (and cluster) are configured"));
    }

    /** What to start: the halves the developer has not configured; empty when there is nothing to start. */
    static Optional<AppDevnet.Plan> plan(Config config, Capabilities capabilities, String kubeconfigEnv) {
        AppDevnet.App app = config.getOptionalValue(APP, String.class)
                .map(name -> AppDevnet.App.valueOf(name.toUpperCase(java.util.Locale.ROOT).replace('-', '_')))
                .orElse(capabilities.isPresent(Capability.KUBERNETES_CLIENT) ? AppDevnet.App.PROVIDER : AppDevnet.App.MATCHMAKER);
        boolean chain = CHAIN_KEYS.stream().noneMatch(key -> isSet(config, key));
        boolean cluster = app == AppDevnet.App.PROVIDER && (kubeconfigEnv == null || kubeconfigEnv.isBlank())
                && CLUSTER_KEYS.stream().noneMatch(key -> isSet(config, key));
        if (!chain && !cluster) {
            return Optional.empty();
        }
        return Optional.of(new AppDevnet.Plan(app, chain, cluster, config.getOptionalValue(CHAIN_PORT, Integer.class).orElse(0)));
    }

    private static boolean isSet(Config config, String key) {
        return config.getOptionalValue(key, String.class).filter(v -> !v.isBlank()).isPresent();
    }

    private static DevServicesResultBuildItem result(AppDevnet.Plan plan) {
        Map<String, Function<DevnetService, String>> values = new LinkedHashMap<>();
        for (String key : AppDevnet.configKeys(plan)) {
            values.put(key, service -> service.configValue(key));
        }
        return DevServicesResultBuildItem.<DevnetService>owned()
                .feature(FEATURE)
                .description("anvil with the Open Spheron protocol" + (plan.cluster() ? " and a Kubernetes control plane with hollow GPU nodes" : ""))
                .serviceConfig(plan)
                .startable(() -> new DevnetService(plan))
                .configProvider(values)
                .build();
    }
}
