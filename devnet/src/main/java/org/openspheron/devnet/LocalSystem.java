package org.openspheron.devnet;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClassBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openspheron.chain.ChainConnection;
import org.openspheron.chain.LocalChain;
import org.openspheron.chain.ProtocolAddresses;
import org.openspheron.chain.ProtocolConfig;
import org.openspheron.chain.ProtocolDeployer;
import org.openspheron.chain.ProtocolReader;
import org.web3j.crypto.Credentials;

/**
 * The whole system on one machine, step by step: a real anvil chain (state kept in the home directory, so a
 * restart resumes), the protocol deployed once, a real Kubernetes control plane with hollow GPU nodes per provider, and the
 * packaged matchmakers and provider operators as separate processes. The local run and the end-to-end tests both
 * drive it. Development account indexes: 0 deploys, 1.. matchmakers, 10.. providers, 20 the tenant, 29 treasury.
 */
public final class LocalSystem implements AutoCloseable {
    static final int FIRST_MATCHMAKER = 1;
    static final int FIRST_PROVIDER = 10;
    static final int TENANT = 20;
    static final int TREASURY = 29;
    private static final Duration APP_START = Duration.ofSeconds(120);
    /** The install files that give the operator its identity and rights, as a provider applies them. */
    private static final List<String> OPERATOR_ACCOUNT = List.of("00-namespace.yaml", "10-serviceaccount.yaml", "20-rbac.yaml");
    static final String OPERATOR_NAMESPACE = "spheron-system";
    /** Persistent volumes per provider cluster (no dynamic provisioner runs): enough for a few stateful leases. */
    private static final int VOLUMES = 8;
    private static final String VOLUME_SIZE = "1Ti";
    /** The label kata-deploy puts on the nodes it installed Kata Containers on. */
    public static final String KATA_LABEL = "katacontainers.io/kata-runtime";
    /** The RuntimeClass kata-deploy creates for Intel TDX guests. */
    public static final String TDX_RUNTIME_CLASS = "kata-qemu-tdx";
    /** The StorageClass provider 0 maps Akash's beta3 to. */
    public static final String NVME_CLASS = "local-nvme";
    static final String OPERATOR_ACCOUNT_NAME = "spheron-provider-operator";

    private final Path root;
    private final Path home;
    private final int chainPort;
    private final int matchmakers;
    private final int threshold;
    private final List<LocalProvider> providers;
    private int portOffset;
    private final List<AutoCloseable> running = new ArrayList<>();
    private final List<AppProcess> matchmakerApps = new ArrayList<>();
    private final Map<String, String> matchmakerOverrides = new LinkedHashMap<>();
    private final Map<String, String> providerOverrides = new LinkedHashMap<>();
    private List<Path> existingClusters = List.of();
    private LocalChain chain;
    private ProtocolConfig protocolConfig;
    private ChainConnection connection;
    private Duration blockTime = Duration.ofSeconds(1);
    private int chainAccounts = 30;
    private java.util.function.UnaryOperator<ProtocolConfig> protocolTuning = c -> c;

    public LocalSystem(Path root, Path home, int chainPort, int matchmakers, int threshold, List<LocalProvider> providers) {
        this.root = root;
        this.home = home;
        this.chainPort = chainPort;
        this.matchmakers = matchmakers;
        this.threshold = threshold;
        this.providers = List.copyOf(providers);
    }

    /** Two providers that differ in GPUs, price, region and stake: what the local run and the e2e tests use. */
    public static List<LocalProvider> defaultProviders() {
        return defaultProviders(0);
    }

    /** {@link #defaultProviders()} with their ports moved by {@code portOffset}. */
    public static List<LocalProvider> defaultProviders(int portOffset) {
        return List.of(
                new LocalProvider(0, "us-east", "us-east-1a", List.of(
                        new GpuNode("gpu-a100-0", "NVIDIA-A100-SXM4-80GB", 2, 64, 512, "us-east-1a"),
                        new GpuNode("gpu-a100-1", "NVIDIA-A100-SXM4-80GB", 2, 64, 512, "us-east-1a"),
                        new GpuNode("gpu-rtx4090-0", "NVIDIA-GeForce-RTX-4090", 2, 32, 128, "us-east-1a")), "2.00", 300, portOffset)
                        .withTdxNode("gpu-a100-1").withBeta3Class(NVME_CLASS),
                new LocalProvider(1, "eu-west", "eu-west-1b", List.of(
                        new GpuNode("gpu-h100-0", "NVIDIA-H100-80GB-HBM3", 1, 32, 256, "eu-west-1b"),
                        new GpuNode("gpu-a100-0", "NVIDIA-A100-SXM4-80GB", 1, 32, 256, "eu-west-1b")), "1.80", 150, portOffset));
    }

    /** Moves the matchmakers' ports by {@code offset} (the providers' ports come with their {@link LocalProvider}). */
    public LocalSystem matchmakerPortOffset(int offset) {
        this.portOffset = offset;
        return this;
    }

    /**
     * Runs provider {@code i} on the existing cluster of {@code kubeconfigs[i]} (kind, k3d, minikube) instead of a
     * control plane of its own: where bin/spheron-k8s cannot build Kubernetes (no Debian packages).
     */
    public LocalSystem existingClusters(List<Path> kubeconfigs) {
        if (kubeconfigs.size() > providers.size()) {
            throw new IllegalArgumentException(kubeconfigs.size() + " kubeconfigs for " + providers.size() + " providers");
        }
        this.existingClusters = List.copyOf(kubeconfigs);
        return this;
    }

    /**
     * Changes the chain before {@link #startChain}: its block interval (a second by default), its number of funded
     * development accounts (30), and the protocol's parameters (bid and match windows) when it is deployed.
     * Benchmarks use it; the local run keeps the defaults.
     */
    public LocalSystem chain(Duration blockTime, int accounts, java.util.function.UnaryOperator<ProtocolConfig> protocol) {
        this.blockTime = blockTime;
        this.chainAccounts = accounts;
        this.protocolTuning = protocol;
        return this;
    }

    /** Configuration every matchmaker gets on top of {@link LocalConfig#matchmaker} (tests: shorter timeouts). */
    public LocalSystem matchmakerConfig(String key, String value) {
        matchmakerOverrides.put(key, value);
        return this;
    }

    /** Configuration every provider operator gets on top of {@link LocalConfig#provider} (tests: withdraw interval). */
    public LocalSystem providerConfig(String key, String value) {
        providerOverrides.put(key, value);
        return this;
    }

    /** Starts anvil (a block a second) and deploys the protocol unless the restored chain already has it. */
    public LocalSystem startChain() {
        try {
            Files.createDirectories(logs());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        chain = LocalChain.builder().port(chainPort).blockTime(blockTime).accounts(chainAccounts)
                .stateFile(home.resolve("chain-state.json")).logFile(logs().resolve("anvil.log")).build().start();
        running.add(chain);
        List<String> operators = new ArrayList<>();
        for (int i = 0; i < matchmakers; i++) {
            operators.add(LocalChain.devAccount(FIRST_MATCHMAKER + i).getAddress());
        }
        protocolConfig = protocolTuning.apply(ProtocolConfig.local(operators, threshold));
        ChainConnection bare = ChainConnection.connect(chain.rpcUrl());
        ProtocolAddresses addresses = deployOnce(bare);
        connection = bare.using(addresses);
        running.add(bare);
        writeTenantKey();
        return this;
    }

    private ProtocolAddresses deployOnce(ChainConnection bare) {
        if (Files.isRegularFile(addressesFile())) {
            ProtocolAddresses known = ProtocolAddresses.read(addressesFile());
            if (hasCode(bare, known.orders())) {
                return known;
            }
        }
        Credentials owner = LocalChain.devAccount(0);
        ProtocolAddresses addresses = ProtocolDeployer.deploy(bare, owner, protocolConfig,
                LocalChain.devAccount(TREASURY).getAddress());
        ChainConnection deployed = bare.using(addresses);
        BigInteger funds = ProtocolConfig.TOKEN.multiply(BigInteger.valueOf(100_000));
        for (LocalProvider provider : providers) {
            ProtocolDeployer.mint(deployed, owner, provider.key().getAddress(), funds);
        }
        ProtocolDeployer.mint(deployed, owner, tenantKey().getAddress(), funds);
        addresses.write(addressesFile());
        return addresses;
    }

    /** The tenant's development key as a file, for {@code spheron keys import}. */
    private void writeTenantKey() {
        try {
            Files.writeString(tenantKeyFile(), LocalConfig.hexKey(TENANT) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean hasCode(ChainConnection connection, String address) {
        try {
            String code = connection.web3j().ethGetCode(address,
                    org.web3j.protocol.core.DefaultBlockParameterName.LATEST).send().getCode();
            return code != null && code.length() > 2;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A real control plane per provider (kept in the home directory, so a restart resumes with its objects) with its
     * hollow GPU nodes, the CRDs from crds/ and the operator's ServiceAccount and ClusterRole from k8s/ applied: the
     * operator then runs with that account's token, so the real RBAC authorizer judges every call it makes.
     */
    public LocalSystem startClusters() {
        for (LocalProvider provider : providers) {
            DevCluster cluster;
            if (provider.index() < existingClusters.size()) {
                cluster = DevCluster.existing(existingClusters.get(provider.index()));
                running.add(cluster);
                List<String> changed = cluster.advertiseFakeGpus(provider.nodes());
                System.out.printf("cluster    provider-%d: %s, fake GPUs advertised on %s%n", provider.index(), cluster.url(),
                        changed.isEmpty() ? "no node (they have GPUs already, or no node matched)" : changed);
            } else {
                cluster = DevCluster.start(home.resolve("k8s").resolve("provider-" + provider.index()), provider.nodes());
                running.add(cluster);
                cluster.addVolumes(VOLUMES, VOLUME_SIZE);
                offerCapabilities(cluster, provider);
            }
            cluster.applyDirectory(root.resolve("crds"));
            for (String file : OPERATOR_ACCOUNT) {
                cluster.applyFile(root.resolve("k8s").resolve("provider-operator").resolve(file));
            }
            String token = cluster.serviceAccountToken(OPERATOR_NAMESPACE, OPERATOR_ACCOUNT_NAME);
            provider.attach(cluster, new ClusterAccess(cluster.url(), cluster.caCertData(), token));
        }
        return this;
    }

    /**
     * What a provider offers beyond GPUs, on a cluster of the local run's own: the confidential-computing node, its
     * label and RuntimeClass as kata-deploy would leave them (the hollow kubelet runs any handler), and the beta3
     * StorageClass with statically provisioned volumes of it. Kept across restarts like the rest of the cluster.
     */
    private static void offerCapabilities(DevCluster cluster, LocalProvider provider) {
        var client = cluster.client();
        if (provider.tdxNode() != null) {
            client.nodes().withName(provider.tdxNode()).edit(n -> new NodeBuilder(n)
                    .editMetadata().addToLabels(KATA_LABEL, "true").endMetadata().build());
            if (client.resources(RuntimeClass.class).withName(TDX_RUNTIME_CLASS).get() == null) {
                client.resources(RuntimeClass.class).resource(new RuntimeClassBuilder()
                        .withNewMetadata().withName(TDX_RUNTIME_CLASS).endMetadata().withHandler(TDX_RUNTIME_CLASS)
                        .withNewScheduling().addToNodeSelector(KATA_LABEL, "true").endScheduling().build()).create();
            }
        }
        if (provider.beta3Class() != null) {
            if (client.storage().v1().storageClasses().withName(provider.beta3Class()).get() == null) {
                client.storage().v1().storageClasses().resource(new StorageClassBuilder()
                        .withNewMetadata().withName(provider.beta3Class()).endMetadata()
                        .withProvisioner("kubernetes.io/no-provisioner").withReclaimPolicy("Delete")
                        .withVolumeBindingMode("Immediate").build()).create();
            }
            cluster.addVolumes(VOLUMES / 2, VOLUME_SIZE, provider.beta3Class());
        }
    }

    /** Starts every matchmaker and waits until each is live. */
    public List<AppProcess> startMatchmakers() {
        MatchmakerKeys.ensure(home, matchmakers);
        // Started side by side, then awaited: JVM start-ups overlap instead of queueing.
        for (int i = 0; i < matchmakers; i++) {
            matchmakerApps.add(launchMatchmaker(i));
        }
        for (int i = 0; i < matchmakers; i++) {
            matchmakerApps.get(i).awaitReady(matchmakerUrl(i) + "/q/health/live", APP_START);
        }
        return List.copyOf(matchmakerApps);
    }

    /** Starts every provider's operator side by side and waits until each is live; in provider order. */
    public List<AppProcess> startProviders() {
        List<AppProcess> apps = new ArrayList<>();
        for (LocalProvider provider : providers) {
            apps.add(launchProvider(provider));
        }
        for (int i = 0; i < providers.size(); i++) {
            apps.get(i).awaitReady("http://127.0.0.1:" + providers.get(i).httpPort() + "/q/health/live", APP_START);
        }
        return apps;
    }

    /** Starts matchmaker {@code index} (again, after a kill) and waits until it is live. */
    public AppProcess startMatchmaker(int index) {
        return startMatchmaker(index, Map.of());
    }

    /** Starts matchmaker {@code index} with {@code extra} configuration for this start only, and waits until it is live. */
    public AppProcess startMatchmaker(int index, Map<String, String> extra) {
        AppProcess app = launchMatchmaker(index, extra);
        app.awaitReady(matchmakerUrl(index) + "/q/health/live", APP_START);
        return app;
    }

    private AppProcess launchMatchmaker(int index) {
        return launchMatchmaker(index, Map.of());
    }

    private AppProcess launchMatchmaker(int index, Map<String, String> extra) {
        List<String> peers = new ArrayList<>();
        for (int i = 0; i < matchmakers; i++) {
            if (i != index) {
                peers.add(matchmakerUrl(i));
            }
        }
        MatchmakerKeys.ensure(home, matchmakers);
        Map<String, String> config = LocalConfig.matchmaker(chain.rpcUrl(), home, index, matchmakerPort(index), String.join(",", peers));
        config.putAll(matchmakerOverrides);
        config.putAll(extra);
        asFabric8Properties(config);
        AppProcess app = AppProcess.of(root, "matchmaker", "matchmaker-" + index, config, logs()).start();
        running.add(app);
        return app;
    }

    /** Starts the provider's operator against its cluster and waits until it is live. */
    public AppProcess startProvider(LocalProvider provider) {
        AppProcess app = launchProvider(provider);
        app.awaitReady("http://127.0.0.1:" + provider.httpPort() + "/q/health/live", APP_START);
        return app;
    }

    private AppProcess launchProvider(LocalProvider provider) {
        AppProcess app = providerProcess(provider, true).start();
        running.add(app);
        return app;
    }

    /**
     * The provider's operator as {@link #startProvider} runs it, not started: its native executable when one is built
     * and {@code nativeIfBuilt}, else the jar (benchmarks start both forms on the same cluster). The caller stops it.
     */
    public AppProcess providerProcess(LocalProvider provider, boolean nativeIfBuilt) {
        Map<String, String> config = LocalConfig.provider(chain.rpcUrl(), home, provider);
        // Leader election stays on, as in a cluster (a restart hands the Lease over). Outside a pod nothing names the
        // operator's namespace, so the Lease goes where k8s/provider-operator/'s Role lets its ServiceAccount keep it.
        config.put("spheron.operator.leader-election.namespace", "spheron-system");
        config.putAll(providerOverrides);
        asFabric8Properties(config);
        String name = "provider-" + provider.index();
        return nativeIfBuilt ? AppProcess.of(root, "provider-operator", name, config, logs())
                : AppProcess.onJvm(root, "provider-operator", name + "-jvm", config, logs());
    }

    /**
     * Moves the API server, CA and token from {@code quarkus.kubernetes-client.*} to the fabric8 client's own system
     * properties, which the Quarkus client starts from. Quarkus fixes its keys at build time and, handed values at run
     * time, warns at every start with each value, the ServiceAccount token included, in the app's log. The client
     * also reads no kubeconfig and no mounted ServiceAccount: a developer's ~/.kube/config could otherwise add its own
     * credentials (a client certificate would win over the token, and RBAC would judge another user).
     */
    static void asFabric8Properties(Map<String, String> config) {
        Map<String, String> names = Map.of("quarkus.kubernetes-client.api-server-url", "kubernetes.master",
                "quarkus.kubernetes-client.ca-cert-data", "kubernetes.certs.ca.data",
                "quarkus.kubernetes-client.token", "kubernetes.auth.token");
        names.forEach((quarkus, fabric8) -> {
            String value = config.remove(quarkus);
            if (value != null) {
                config.put(fabric8, value);
            }
        });
        config.put("kubernetes.auth.tryKubeConfig", "false");
        config.put("kubernetes.auth.tryServiceAccount", "false");
    }

    public int matchmakerPort(int index) {
        return portOffset + 8180 + index;
    }

    public String matchmakerUrl(int index) {
        return "http://127.0.0.1:" + matchmakerPort(index);
    }

    public LocalChain chain() { return chain; }
    public ChainConnection connection() { return connection; }
    public ProtocolReader reader() { return new ProtocolReader(connection); }
    public ProtocolConfig protocolConfig() { return protocolConfig; }
    public List<LocalProvider> providers() { return providers; }
    public Path home() { return home; }
    public Path logs() { return home.resolve("logs"); }
    public Path addressesFile() { return home.resolve("addresses.properties"); }
    public Credentials tenantKey() { return LocalChain.devAccount(TENANT); }
    public Path tenantKeyFile() { return home.resolve("tenant.key"); }
    public Path root() { return root; }

    /** Stops everything in the reverse order it started; the chain's state is written to its state file. */
    @Override
    public synchronized void close() {
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                System.err.println("stopping " + running.get(i) + " failed: " + e.getMessage());
            }
        }
        running.clear();
    }
}
