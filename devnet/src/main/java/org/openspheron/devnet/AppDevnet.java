package org.openspheron.devnet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What one app needs around it under {@code quarkus dev}: a {@link LocalSystem} cut down to a real anvil with the
 * protocol deployed for a single-operator quorum (threshold 1) and, for the provider operator, one real Kubernetes
 * control plane with hollow GPU nodes ({@code bin/spheron-k8s}; the first start on a machine builds it: minutes). The keys it hands the app are {@link LocalConfig}'s, so the dev service and the local
 * run configure the apps the same way. Its home is a fresh temporary directory, removed on {@link #close()}.
 */
public final class AppDevnet implements AutoCloseable {
    /** Which app the devnet is for, and which of its parts the developer has not configured themselves. */
    public record Plan(App app, boolean chain, boolean cluster, int chainPort) {
        public Plan {
            if (!chain && !cluster) {
                throw new IllegalArgumentException("a devnet with neither a chain nor a cluster has nothing to start");
            }
            if (cluster && app != App.PROVIDER) {
                throw new IllegalArgumentException("only the provider operator needs a cluster");
            }
        }
    }

    public enum App { MATCHMAKER, PROVIDER }

    /** Keys a Quarkus app in dev mode keeps its own value of: the developer's HTTP port and interface. */
    private static final Set<String> APP_OWNED = Set.of("quarkus.http.port", "quarkus.http.host");
    private static final String KUBERNETES_CLIENT = "quarkus.kubernetes-client.";

    private final Plan plan;
    private final Path home;
    private final LocalSystem system;
    private final LocalProvider provider;

    private AppDevnet(Plan plan, Path home, LocalSystem system, LocalProvider provider) {
        this.plan = plan;
        this.home = home;
        this.system = system;
        this.provider = provider;
    }

    /** Starts what {@code plan} asks for; {@code root} is the repository root (for crds/). */
    public static AppDevnet start(Path root, Plan plan) {
        Path home;
        try {
            home = Files.createTempDirectory("spheron-dev-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the dev services' home directory", e);
        }
        LocalProvider provider = LocalSystem.defaultProviders().get(0);
        LocalSystem system = new LocalSystem(root, home, plan.chainPort(), 1, 1, List.of(provider));
        AppDevnet devnet = new AppDevnet(plan, home, system, provider);
        try {
            if (plan.chain()) {
                system.startChain();
                if (plan.app() == App.MATCHMAKER) {
                    MatchmakerKeys.ensure(home, 1);
                }
            }
            if (plan.cluster()) {
                system.startClusters();
            }
            return devnet;
        } catch (RuntimeException e) {
            devnet.close();
            throw e;
        }
    }

    /** The configuration keys {@link #config()} will hold for {@code plan}, known before anything starts. */
    public static Set<String> configKeys(Plan plan) {
        return select(plan, full(plan, "http://127.0.0.1:0", Path.of("."), LocalSystem.defaultProviders().get(0),
                new ClusterAccess("https://127.0.0.1:0", "", ""))).keySet();
    }

    /** The configuration the app needs to use what was started. */
    public Map<String, String> config() {
        String rpcUrl = plan.chain() ? system.chain().rpcUrl() : "";
        ClusterAccess cluster = plan.cluster() ? provider.operatorAccess() : new ClusterAccess("", "", "");
        return select(plan, full(plan, rpcUrl, home, provider, cluster));
    }

    private static Map<String, String> full(Plan plan, String rpcUrl, Path home, LocalProvider provider, ClusterAccess cluster) {
        return plan.app() == App.MATCHMAKER
                ? LocalConfig.matchmaker(rpcUrl, home, 0, 0, "")
                : LocalConfig.provider(rpcUrl, home, provider, cluster);
    }

    /** Drops what the app owns in dev mode, and the half (chain or cluster) the developer configured. */
    private static Map<String, String> select(Plan plan, Map<String, String> full) {
        Map<String, String> selected = new LinkedHashMap<>();
        full.forEach((key, value) -> {
            boolean clusterKey = key.startsWith(KUBERNETES_CLIENT) || key.equals("spheron.operator.public-host");
            if (!APP_OWNED.contains(key) && (clusterKey ? plan.cluster() : plan.chain())) {
                selected.put(key, value);
            }
        });
        return selected;
    }

    /** One line for the log: what runs where. */
    public String describe() {
        StringBuilder line = new StringBuilder();
        if (plan.chain()) {
            var addresses = system.connection().addresses();
            line.append("anvil at ").append(system.chain().rpcUrl()).append(" with the protocol deployed (orders ")
                    .append(addresses.orders()).append(", registry ").append(addresses.registry()).append(", token ")
                    .append(addresses.token()).append("; all in ").append(system.addressesFile()).append(')');
        }
        if (plan.cluster()) {
            line.append(line.isEmpty() ? "" : "; ").append("kube-apiserver v1.20.2 at ")
                    .append(provider.cluster().url()).append(" with ").append(provider.nodes().size())
                    .append(" hollow GPU nodes (KUBECONFIG=").append(provider.kubeconfig()).append(')');
        }
        return line.toString();
    }

    public Optional<String> rpcUrl() {
        return plan.chain() ? Optional.of(system.chain().rpcUrl()) : Optional.empty();
    }

    public Optional<String> apiServerUrl() {
        return plan.cluster() ? Optional.of(provider.cluster().url()) : Optional.empty();
    }

    public Plan plan() {
        return plan;
    }

    /**
     * The repository root: the {@code spheron.root} system property, else the nearest directory at or above
     * {@code start} that holds crds/ beside a pom.xml (so that {@code quarkus dev} works from a module directory).
     */
    public static Path findRoot(Path start) {
        String explicit = System.getProperty("spheron.root");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit).toAbsolutePath();
        }
        for (Path dir = start.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("crds")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the Open Spheron repository root (crds/ beside pom.xml) at or above "
                + start.toAbsolutePath() + "; set -Dspheron.root");
    }

    @Override
    public void close() {
        system.close();
        try (Stream<Path> files = Files.walk(home)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }
}
