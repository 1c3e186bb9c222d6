package org.openspheron.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.openspheron.chain.LocalChain;
import org.openspheron.chain.Provider;
import org.openspheron.devnet.AppProcess;
import org.openspheron.devnet.LocalProvider;
import org.openspheron.devnet.LocalSystem;
import org.web3j.utils.Numeric;

/**
 * One whole system for a test class: anvil with the protocol, two providers' real control planes, three matchmakers
 * (threshold two) and the two provider operators, all as the packaged apps in their own processes, plus the tenant's
 * CLI with the development key imported and its certificate published. Home and logs under target/e2e/NAME.
 */
final class E2eSystem implements AutoCloseable {
    private static final int OTHER_USER_ACCOUNT = 21;
    static final Path ROOT = Path.of(System.getProperty("spheron.root", "../..")).toAbsolutePath().normalize();

    final LocalSystem local;
    final List<AppProcess> matchmakers = new ArrayList<>();
    final AppProcess[] operators;
    final Cli cli;
    private Cli otherUser;

    private E2eSystem(LocalSystem local) {
        this.local = local;
        this.operators = new AppProcess[local.providers().size()];
        this.cli = cliOf(local, local.home().resolve("tenant"), local.logs());
    }

    /** Starts everything; {@code configure} may add app configuration before the apps start. */
    static E2eSystem start(String name, int portOffset, Consumer<LocalSystem> configure) {
        Path home = ROOT.resolve("src/native-test/target/e2e").resolve(name);
        deleteTree(home);
        LocalSystem local = new LocalSystem(ROOT, home, freePort(), 3, 2, LocalSystem.defaultProviders(portOffset))
                .matchmakerPortOffset(portOffset);
        // Short duty intervals: the devnet chain makes a block a second and the tests move its clock by hours.
        local.providerConfig("spheron.provider.withdraw-interval", "2s");
        local.providerConfig("spheron.provider.withdraw-threshold", "0.000001");
        local.providerConfig("spheron.provider.heartbeat-interval", "5s");
        configure.accept(local);
        try {
            local.startChain().startClusters();
            E2eSystem system = new E2eSystem(local);
            system.matchmakers.addAll(local.startMatchmakers());
            List<AppProcess> operators = local.startProviders();
            for (int i = 0; i < operators.size(); i++) {
                system.operators[i] = operators.get(i);
            }
            for (LocalProvider provider : local.providers()) {
                await(Duration.ofSeconds(90), "provider " + provider.index() + " registers on chain",
                        () -> local.reader().provider(provider.key().getAddress()).filter(Provider::isRegistered).isPresent());
            }
            system.cli.run("keys", "import", local.tenantKeyFile().toString()).ok();
            system.cli.run("cert", "publish", "--json").ok();
            return system;
        } catch (RuntimeException | Error e) {
            local.close();
            throw e;
        }
    }

    /**
     * A second user with an account (anvil's development account 21: funded with ether, no tokens, no leases) and a
     * client certificate published on chain: someone the gateway knows, who is not the tenant of anything.
     */
    synchronized Cli otherUser() {
        if (otherUser == null) {
            Path key = local.home().resolve("other-user.key");
            try {
                Files.writeString(key, Numeric.toHexStringWithPrefixZeroPadded(
                        LocalChain.devAccount(OTHER_USER_ACCOUNT).getEcKeyPair().getPrivateKey(), 64) + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Cli other = cliOf(local, local.home().resolve("other-user"), local.logs().resolve("other-user"));
            other.run("keys", "import", key.toString()).ok();
            other.run("cert", "publish", "--json").ok();
            otherUser = other;
        }
        return otherUser;
    }

    /** A user's CLI against this system's chain, with its own home (key, certificate) and log directory. */
    private static Cli cliOf(LocalSystem local, Path home, Path logs) {
        return new Cli(ROOT, "http://127.0.0.1:" + local.chain().port(), local.addressesFile(), home, logs);
    }

    LocalProvider provider(int index) {
        return local.providers().get(index);
    }

    /** Restarts provider {@code index}'s operator (SIGTERM, then a new process with the same configuration). */
    AppProcess restartOperator(int index) {
        operators[index].stop();
        operators[index] = local.startProvider(provider(index));
        return operators[index];
    }

    String log(AppProcess app) {
        try {
            return Files.readString(app.log());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void await(Duration timeout, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting until " + what);
            }
        }
        throw new AssertionError("not within " + timeout + ": " + what + (last == null ? "" : " (last error: " + last + ")"));
    }

    static <T> T awaitValue(Duration timeout, String what, Supplier<T> value) {
        Object[] box = new Object[1];
        await(timeout, what, () -> (box[0] = value.get()) != null);
        @SuppressWarnings("unchecked")
        T result = (T) box[0];
        return result;
    }

    static void assertEventually(Duration timeout, Runnable assertion) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                assertion.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(dir).doesNotExist();
    }

    @Override
    public void close() {
        local.close();
    }
}
