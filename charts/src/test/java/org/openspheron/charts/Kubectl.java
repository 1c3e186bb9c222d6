package org.openspheron.charts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openspheron.devnet.DevCluster;

/**
 * The kubectl a dev cluster came with (1.20.2), as a provider runs it: the cluster's admin kubeconfig, its discovery
 * cache inside the cluster's directory rather than in the user's home.
 */
record Kubectl(DevCluster cluster, String binary) {
    static Kubectl of(DevCluster cluster) {
        return new Kubectl(cluster, cluster.kubectl().toString());
    }

    /** Runs {@code kubectl args...}; its combined output, and the exit code in {@link Result}. */
    Result run(String... args) {
        List<String> command = new ArrayList<>(List.of(binary, "--kubeconfig", cluster.kubeconfig().toString(),
                "--cache-dir", cluster.dir().resolve("kube-cache").toString()));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("kubectl %s ends", String.join(" ", args)).isTrue();
            return new Result(String.join(" ", args), process.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + binary, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    record Result(String command, int exit, String output) {
        /** This result, after checking that kubectl succeeded (its output in the failure message otherwise). */
        Result ok() {
            assertThat(exit).as("kubectl %s:%n%s", command, output).isZero();
            return this;
        }
    }
}
