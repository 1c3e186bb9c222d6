package org.openspheron.charts;

import static org.assertj.core.api.Assertions.assertThat;

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
        DevCluster.KubectlResult result = cluster.runKubectl(args);
        return new Result(result.command(), result.exit(), result.output());
    }

    record Result(String command, int exit, String output) {
        /** This result, after checking that kubectl succeeded (its output in the failure message otherwise). */
        Result ok() {
            assertThat(exit).as("kubectl %s:%n%s", command, output).isZero();
            return this;
        }
    }
}
