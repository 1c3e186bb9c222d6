package org.openspheron.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openspheron.devnet.AppProcess;

/**
 * The user's CLI as a user runs it: its native executable when one was built ({@code cli/target/*-runner}), else
 * the packaged jar in its own JVM, configured the way the local run tells people
 * to (SPHERON_RPC_URL, SPHERON_ADDRESSES, SPHERON_HOME), with stdout and stderr kept apart.
 */
final class Cli {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path root;
    private final String rpcUrl;
    private final Path addresses;
    private final Path home;
    private final Path logDir;
    private int calls;

    Cli(Path root, String rpcUrl, Path addresses, Path home, Path logDir) {
        this.root = root;
        this.rpcUrl = rpcUrl;
        this.addresses = addresses;
        this.home = home;
        this.logDir = logDir;
    }

    Path home() {
        return home;
    }

    record Result(List<String> args, int exitCode, String stdout, String stderr) {
        JsonNode json() {
            try {
                return JSON.readTree(stdout);
            } catch (IOException e) {
                throw new AssertionError("`spheron " + String.join(" ", args) + "` printed no JSON on stdout: " + stdout
                        + "\nstderr: " + stderr, e);
            }
        }

        /** Fails with everything the command printed unless it exited 0. */
        Result ok() {
            if (exitCode != 0) {
                throw new AssertionError("`spheron " + String.join(" ", args) + "` exited " + exitCode + "\nstdout: " + stdout
                        + "\nstderr: " + stderr);
            }
            return this;
        }
    }

    Result run(String... args) {
        return run(Duration.ofMinutes(5), args);
    }

    synchronized Result run(Duration timeout, String... args) {
        return run(timeout, false, args);
    }

    /**
     * Runs a command that does not end by itself (e.g. {@code logs --follow}) for {@code duration}, then stops it
     * (SIGTERM) and returns what it printed until then.
     */
    synchronized Result runFor(Duration duration, String... args) {
        return run(duration, true, args);
    }

    private static List<String> resolved;

    /** How the CLI is started, said once in the test output. */
    private static synchronized List<String> command(Path root) {
        if (resolved == null) {
            Path runner = AppProcess.nativeRunner(root.resolve("cli/target"));
            if (runner != null) {
                resolved = List.of(runner.toString());
                System.out.println("cli: native executable " + root.relativize(runner) + " (built " + AppProcess.builtAt(runner) + ")");
            } else {
                Path jar = root.resolve("cli/target/quarkus-app/quarkus-run.jar");
                if (!Files.isRegularFile(jar)) {
                    throw new IllegalStateException("the CLI is not packaged: " + jar + " is missing");
                }
                resolved = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                        "-XX:TieredStopAtLevel=1", "-jar", jar.toString());
                System.out.println("cli: JVM jar " + root.relativize(jar));
            }
        }
        return resolved;
    }

    private Result run(Duration timeout, boolean stopAtTimeout, String... args) {
        List<String> command = new ArrayList<>(command(root));
        command.addAll(List.of(args));
        int n = ++calls;
        Path out = logDir.resolve("cli-" + n + ".out");
        Path err = logDir.resolve("cli-" + n + ".err");
        try {
            Files.createDirectories(logDir);
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().put("SPHERON_RPC_URL", rpcUrl);
            builder.environment().put("SPHERON_ADDRESSES", addresses.toString());
            builder.environment().put("SPHERON_HOME", home.toString());
            Process process = builder.start();
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                if (stopAtTimeout) {
                    process.destroy();
                    process.waitFor(10, TimeUnit.SECONDS);
                    return new Result(List.of(args), 0, Files.readString(out), Files.readString(err));
                }
                process.destroyForcibly().waitFor();
                throw new AssertionError("`spheron " + String.join(" ", args) + "` did not finish within " + timeout
                        + "\nstderr: " + Files.readString(err));
            }
            return new Result(List.of(args), process.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run the CLI: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running the CLI", e);
        }
    }
}
