package org.openspheron.devnet;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One packaged application (a Quarkus fast-jar or a native binary) started as a separate process, with its
 * configuration as system properties, its output in a log file, and a readiness URL to wait for.
 */
public final class AppProcess implements AutoCloseable {
    private final String name;
    private final List<String> command;
    private final Path log;
    private final Map<String, String> environment;
    private final String form;
    private Process process;

    private AppProcess(String name, List<String> command, Map<String, String> environment, Path log, String form) {
        this.name = name;
        this.form = form;
        this.command = command;
        this.environment = environment;
        this.log = log;
    }

    /**
     * The application packaged in {@code module} under {@code root}: its native runner if one was built, else
     * {@code target/quarkus-app/quarkus-run.jar} on the current JVM.
     */
    public static AppProcess of(Path root, String module, String name, Map<String, String> config, Path logDir, String... args) {
        return of(true, root, module, name, config, logDir, args);
    }

    /** As {@link #of}, on the JVM even if a native runner was built (to compare the two). */
    public static AppProcess onJvm(Path root, String module, String name, Map<String, String> config, Path logDir, String... args) {
        return of(false, root, module, name, config, logDir, args);
    }

    private static AppProcess of(boolean nativeIfBuilt, Path root, String module, String name, Map<String, String> config,
            Path logDir, String... args) {
        Path target = root.resolve(module).resolve("target");
        List<String> command = new ArrayList<>();
        Path nativeRunner = nativeIfBuilt ? nativeRunner(target) : null;
        Map<String, String> sorted = new TreeMap<>(config);
        String form;
        if (nativeRunner != null) {
            form = "native executable " + root.relativize(nativeRunner) + " (built " + builtAt(nativeRunner) + ")";
            command.add(nativeRunner.toString());
            sorted.forEach((k, v) -> command.add("-D" + k + "=" + v));
        } else {
            Path jar = target.resolve("quarkus-app/quarkus-run.jar");
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(name + " is not packaged: " + jar + " is missing; run 'mvn -B -DskipTests package' first");
            }
            form = "JVM jar " + root.relativize(jar);
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Xmx384m");
            sorted.forEach((k, v) -> command.add("-D" + k + "=" + v));
            command.add("-jar");
            command.add(jar.toString());
        }
        command.addAll(List.of(args));
        return new AppProcess(name, command, Map.of(), logDir.resolve(name + ".log"), form);
    }

    /**
     * The native executable {@code bin/spheron-native build} left in a module's {@code target} (the newest, should an
     * older version's be there too), or null. Nothing tells whether it was built from the sources as they are now:
     * its build time goes into the line that says what runs.
     */
    public static Path nativeRunner(Path target) {
        try (var files = Files.list(target)) {
            return files.filter(f -> f.getFileName().toString().endsWith("-runner") && Files.isExecutable(f))
                    .max(Comparator.comparing(AppProcess::modified)).orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    /** When {@code file} was last written, to the minute, in UTC. */
    public static String builtAt(Path file) {
        return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC).format(modified(file).toInstant());
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    public String name() {
        return name;
    }

    /** What runs: "native executable PATH" or "JVM jar PATH", relative to the repository. */
    public String form() {
        return form;
    }

    public Path log() {
        return log;
    }

    public synchronized AppProcess start() {
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(environment);
            process = builder.start();
            // Which build runs shows in the output of the local run and of the end-to-end tests.
            System.out.printf("app        %s: %s, pid %d, log %s%n", name, form, process.pid(), log);
            return this;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    /** Waits until {@code url} answers 200, or fails naming the log to read. */
    public void awaitReady(String url, Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                last = response.statusCode() + " " + response.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + name, e);
            }
            sleep(250);
        }
        throw new IllegalStateException(name + " not ready at " + url + " within " + timeout + " (" + last + "); see " + log);
    }

    /** The running process' id. */
    public long pid() {
        if (process == null) {
            throw new IllegalStateException(name + " is not running");
        }
        return process.pid();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Kills the process without letting it shut down cleanly: what a crash or an OOM kill looks like. */
    public synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitFor(10);
            process = null;
        }
    }

    /** Stops the process the way Kubernetes does: SIGTERM, then SIGKILL after a grace period. */
    public synchronized void stop() {
        if (process != null) {
            process.destroy();
            if (!waitFor(15)) {
                process.destroyForcibly();
                waitFor(5);
            }
            process = null;
        }
    }

    private boolean waitFor(int seconds) {
        try {
            return process.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
