package org.openspheron.chain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.web3j.crypto.Bip32ECKeyPair;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.MnemonicUtils;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.http.HttpService;
import org.web3j.utils.Numeric;

/**
 * A real local Ethereum node: anvil from the npm package {@code @foundry-rs/anvil-linux-amd64}, started as a
 * child process on a loopback port. Used by tests, benchmarks and the local run; never in production.
 *
 * <p>Accounts are anvil's deterministic development accounts (the well-known "test test ... junk" mnemonic),
 * funded with ether. With a state file the chain survives {@link #stop()} and {@link #start()}, which is how
 * tests take the RPC endpoint away and bring it back.
 */
public final class LocalChain implements AutoCloseable {
    /** anvil's development mnemonic; its keys are public knowledge and must never hold real funds. */
    public static final String DEV_MNEMONIC = "test test test test test test test test test test test junk";
    public static final long CHAIN_ID = 31337L;

    private static final System.Logger LOG = System.getLogger(LocalChain.class.getName());
    private static final String ANVIL_IN_NODE_MODULES = "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil";

    private final Path anvil;
    private final int port;
    private final int accounts;
    private final long chainId;
    private final Optional<Duration> blockTime;
    private final Optional<Path> stateFile;
    private final Path logFile;
    private Process process;
    private Web3j web3j;

    private LocalChain(Builder builder) {
        this.anvil = builder.anvil != null ? builder.anvil : locateAnvil();
        this.port = builder.port != 0 ? builder.port : freePort();
        this.accounts = builder.accounts;
        this.chainId = builder.chainId;
        this.blockTime = Optional.ofNullable(builder.blockTime);
        this.stateFile = Optional.ofNullable(builder.stateFile);
        try {
            this.logFile = builder.logFile != null ? builder.logFile : Files.createTempFile("anvil-" + port, ".log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts anvil with the defaults: a free port, 30 accounts, a block per transaction. */
    public static LocalChain startDefault() {
        return builder().build().start();
    }

    /** Starts (or restarts) the node on its port and waits until it answers. */
    public synchronized LocalChain start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        List<String> command = new ArrayList<>(List.of(anvil.toString(),
                "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--accounts", Integer.toString(accounts),
                "--mnemonic", DEV_MNEMONIC,
                "--chain-id", Long.toString(chainId)));
        blockTime.ifPresent(t -> command.addAll(List.of("--block-time", Long.toString(Math.max(1, t.toSeconds())))));
        stateFile.ifPresent(f -> command.addAll(List.of("--state", f.toString())));
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
        } catch (IOException e) {
            throw new ChainException("cannot start anvil at " + anvil + ": " + e.getMessage(), e);
        }
        if (web3j == null) {
            web3j = Web3j.build(new HttpService(rpcUrl()), 50, java.util.concurrent.Executors.newScheduledThreadPool(2));
        }
        awaitReady(Duration.ofSeconds(20));
        LOG.log(System.Logger.Level.DEBUG, "anvil listening on {0}", rpcUrl());
        return this;
    }

    /** Stops the node (its state is written to the state file, if there is one). The port stays reserved for us. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    public String rpcUrl() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** The chain id anvil reports: {@link #CHAIN_ID} unless the builder set another. */
    public long chainId() {
        return chainId;
    }

    public Web3j web3j() {
        return web3j;
    }

    public Path logFile() {
        return logFile;
    }

    /** The i-th development account (0-based). Account 0 deploys the protocol in {@link ProtocolDeployer}. */
    public Credentials account(int index) {
        return devAccount(index);
    }

    /** Development account {@code index} derived from {@link #DEV_MNEMONIC} at m/44'/60'/0'/0/index. */
    public static Credentials devAccount(int index) {
        byte[] seed = MnemonicUtils.generateSeed(DEV_MNEMONIC, "");
        Bip32ECKeyPair master = Bip32ECKeyPair.generateKeyPair(seed);
        int hardened = Bip32ECKeyPair.HARDENED_BIT;
        int[] path = {44 | hardened, 60 | hardened, hardened, 0, index};
        return Credentials.create(Bip32ECKeyPair.deriveKeyPair(master, path));
    }

    /** Mines {@code blocks} empty blocks at once. */
    public void mine(long blocks) {
        rpc("anvil_mine", List.of("0x" + Long.toHexString(blocks)));
    }

    /** Moves the chain's clock forward and mines a block with the new time. */
    public void increaseTime(Duration duration) {
        rpc("evm_increaseTime", List.of(duration.toSeconds()));
        mine(1);
    }

    /** The 32-byte word at {@code slot} of {@code address}'s storage. */
    public BigInteger storageAt(String address, BigInteger slot) {
        try {
            return Numeric.toBigInt(web3j.ethGetStorageAt(address, slot, DefaultBlockParameterName.LATEST).send().getData());
        } catch (IOException e) {
            throw new ChainException("cannot read storage of " + address + " from " + rpcUrl(), e);
        }
    }

    /**
     * Overwrites the word at {@code slot} of {@code address}'s storage ({@code anvil_setStorageAt}). For tests that
     * need state an earlier version of a contract could hold but the current one refuses to create.
     */
    public void setStorageAt(String address, BigInteger slot, BigInteger value) {
        rpc("anvil_setStorageAt", List.of(address, Numeric.toHexStringWithPrefixZeroPadded(slot, 64),
                Numeric.toHexStringWithPrefixZeroPadded(value, 64)));
    }

    /**
     * Records the chain's state; {@link #revertTo} goes back to it. Tests use it to give every case a fresh
     * protocol without redeploying. Clients keep a local nonce, so build new ones after a revert.
     */
    public String snapshot() {
        return String.valueOf(rpc("evm_snapshot", List.of()));
    }

    /** Restores the state recorded by {@link #snapshot()}; that snapshot (and any later one) is used up. */
    public void revertTo(String snapshotId) {
        Object reverted = rpc("evm_revert", List.of(snapshotId));
        if (!Boolean.TRUE.equals(reverted)) {
            throw new ChainException("evm_revert to snapshot " + snapshotId + " failed (unknown or already used)");
        }
    }

    public BigInteger blockNumber() {
        try {
            return web3j.ethBlockNumber().send().getBlockNumber();
        } catch (IOException e) {
            throw new ChainException("cannot read the block number from " + rpcUrl(), e);
        }
    }

    @Override
    public synchronized void close() {
        stop();
        if (web3j != null) {
            web3j.shutdown();
            web3j = null;
        }
    }

    private Object rpc(String method, List<?> params) {
        try {
            Response<?> response = new Request<>(method, params, new HttpService(rpcUrl()), GenericResponse.class).send();
            if (response.hasError()) {
                throw new ChainException(method + " failed: " + response.getError().getMessage());
            }
            return response.getResult();
        } catch (IOException e) {
            throw new ChainException(method + " failed on " + rpcUrl(), e);
        }
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new ChainException("anvil exited with " + process.exitValue() + "; see " + logFile);
            }
            try {
                web3j.ethChainId().send();
                return;
            } catch (IOException e) {
                last = e;
            }
            sleep(50);
        }
        throw new ChainException("anvil did not answer on " + rpcUrl() + " within " + timeout, last);
    }

    /**
     * Finds the anvil binary: the {@code spheron.anvil} system property or {@code SPHERON_ANVIL} variable, else
     * node_modules in the {@code spheron.root} directory or any parent of the working directory.
     */
    static Path locateAnvil() {
        String explicit = Optional.ofNullable(System.getProperty("spheron.anvil")).orElse(System.getenv("SPHERON_ANVIL"));
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        List<Path> starts = new ArrayList<>();
        Optional.ofNullable(System.getProperty("spheron.root")).ifPresent(r -> starts.add(Path.of(r)));
        starts.add(Path.of("").toAbsolutePath());
        for (Path start : starts) {
            for (Path dir = start.toAbsolutePath(); dir != null; dir = dir.getParent()) {
                Path candidate = dir.resolve(ANVIL_IN_NODE_MODULES);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        throw new ChainException("anvil not found: run 'npm ci' at the repository root, or set SPHERON_ANVIL");
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChainException("interrupted while waiting for anvil", e);
        }
    }

    /** A JSON-RPC response whose result we do not read. */
    public static final class GenericResponse extends Response<Object> {
    }

    public static final class Builder {
        private Path anvil;
        private int port;
        private int accounts = 30;
        private long chainId = CHAIN_ID;
        private Duration blockTime;
        private Path stateFile;
        private Path logFile;

        public Builder anvil(Path anvil) {
            this.anvil = anvil;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder accounts(int accounts) {
            this.accounts = accounts;
            return this;
        }

        /** Report this chain id, e.g. a public chain's (8453 for Base) to rehearse a deployment to it. */
        public Builder chainId(long chainId) {
            this.chainId = chainId;
            return this;
        }

        /** Mine a block every interval (the local run); without it a block is mined per transaction. */
        public Builder blockTime(Duration blockTime) {
            this.blockTime = blockTime;
            return this;
        }

        /** Load the chain from and dump it to this file, so it survives restarts. */
        public Builder stateFile(Path stateFile) {
            this.stateFile = stateFile;
            return this;
        }

        public Builder logFile(Path logFile) {
            this.logFile = logFile;
            return this;
        }

        public LocalChain build() {
            return new LocalChain(this);
        }
    }
}
