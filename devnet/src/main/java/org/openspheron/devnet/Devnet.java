package org.openspheron.devnet;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.openspheron.chain.LocalChain;
import org.openspheron.chain.ProtocolConfig;
import org.web3j.crypto.Credentials;
import org.web3j.utils.Numeric;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/spheron-local}: starts the {@link LocalSystem}, prints what to do next, runs until interrupted. */
@Command(name = "spheron-local", mixinStandardHelpOptions = true,
        description = "Runs Open Spheron locally: anvil, the protocol, matchmakers and provider operators.")
public final class Devnet implements Callable<Integer> {
    @Option(names = "--home", defaultValue = ".spheron-local",
            description = "Where state, logs and kubeconfigs go (default: ${DEFAULT-VALUE}).")
    Path home;

    @Option(names = "--root", defaultValue = ".",
            description = "The repository root holding the packaged modules (default: ${DEFAULT-VALUE}).")
    Path root;

    @Option(names = "--matchmakers", defaultValue = "3", description = "Matchmaker operators (default: ${DEFAULT-VALUE}).")
    int matchmakers;

    @Option(names = "--threshold", defaultValue = "2", description = "Signatures a match needs (default: ${DEFAULT-VALUE}).")
    int threshold;

    @Option(names = "--chain-port", defaultValue = "8545", description = "anvil's port (default: ${DEFAULT-VALUE}).")
    int chainPort;

    @Option(names = "--chain-only", description = "Start the chain and the clusters, but no apps.")
    boolean chainOnly;

    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "Run provider N (in the order given) on the "
            + "existing cluster of this kubeconfig (kind, k3d, minikube) instead of a control plane of its own: its nodes "
            + "get fake GPUs (labels and the nvidia.com/gpu extended resource); providers without one are not started. "
            + "For machines where bin/spheron-k8s cannot build Kubernetes.")
    List<Path> kubeconfigs = new java.util.ArrayList<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new Devnet()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path dir = home.toAbsolutePath();
        List<LocalProvider> providers = LocalSystem.defaultProviders();
        if (!kubeconfigs.isEmpty()) {
            providers = providers.subList(0, Math.min(kubeconfigs.size(), providers.size()));
        }
        LocalSystem system = new LocalSystem(root.toAbsolutePath(), dir, chainPort, matchmakers, threshold, providers)
                .existingClusters(kubeconfigs.stream().map(Path::toAbsolutePath).toList());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            system.close();
            stopped.countDown();
        }, "spheron-local-shutdown"));

        system.startChain();
        say("chain      %s (chain id %d), contracts in %s", system.chain().rpcUrl(), LocalChain.CHAIN_ID, system.addressesFile());
        system.startClusters();
        for (LocalProvider provider : system.providers()) {
            say("cluster    provider-%d: %s (KUBECONFIG=%s)", provider.index(), provider.cluster().url(), provider.kubeconfig());
        }
        if (!chainOnly) {
            for (AppProcess app : system.startMatchmakers()) {
                say("matchmaker %s (log %s)", app.name(), app.log());
            }
            List<AppProcess> operators = system.startProviders();
            for (LocalProvider provider : system.providers()) {
                say("provider   %d: %s, gateway %s (log %s)", provider.index(), provider.region(), provider.gatewayUrl(),
                        operators.get(provider.index()).log());
            }
        }
        printNextSteps(system, dir);
        stopped.await();
        return 0;
    }

    private static void printNextSteps(LocalSystem system, Path dir) {
        Credentials tenant = system.tenantKey();
        BigInteger balance = system.reader().tokenBalance(tenant.getAddress());
        Path cwd = Path.of("").toAbsolutePath();
        say("");
        say("tenant     %s holds %s tokens; its key (a public development key, never use it for real funds) is in %s",
                tenant.getAddress(), balance.divide(ProtocolConfig.TOKEN), shown(cwd, system.tenantKeyFile()));
        say("");
        say("Next, in another terminal in %s:", cwd);
        say("  export SPHERON_RPC_URL=%s SPHERON_ADDRESSES=%s SPHERON_HOME=%s", system.chain().rpcUrl(),
                shown(cwd, system.addressesFile()), shown(cwd, dir.resolve("tenant")));
        say("  bin/spheron keys import %s    # once: the tenant's key and a new client certificate", shown(cwd, system.tenantKeyFile()));
        say("  bin/spheron cert publish");
        say("  bin/spheron deploy %s", shown(cwd, system.root().resolve("examples/jupyter-rtx4090.yaml")));
        say("  bin/spheron deploy %s", shown(cwd, system.root().resolve("examples/vllm-h100-eu-west.yaml")));
        say("  bin/spheron leases; bin/spheron status LEASE; bin/spheron close LEASE");
        say("  kubectl --kubeconfig %s get spheronleases,gpudeployments,pods -A", shown(cwd, system.providers().get(0).kubeconfig()));
        say("Ctrl-C stops everything; the chain's state stays in %s.", shown(cwd, dir));
    }

    /** Paths under the working directory as relative paths, so the printed commands stay short and copyable. */
    private static String shown(Path cwd, Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        return absolute.startsWith(cwd) ? cwd.relativize(absolute).toString() : absolute.toString();
    }

    private static void say(String format, Object... args) {
        System.out.println(args.length == 0 ? format : String.format(format, args));
    }
}
