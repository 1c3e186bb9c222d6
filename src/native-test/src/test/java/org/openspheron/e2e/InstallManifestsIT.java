package org.openspheron.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openspheron.devnet.DevCluster;

/**
 * What a provider applies with kubectl: every YAML in crds/ and k8s/ parses into Kubernetes objects, is accepted by an
 * API server (the devnet's stand-in: it stores objects, but validates no schemas), and passes kubectl's own
 * client-side dry run against that server.
 */
class InstallManifestsIT {
    static final Path CRDS = E2eSystem.ROOT.resolve("crds");
    static final Path K8S = E2eSystem.ROOT.resolve("k8s");
    static DevCluster cluster;
    static Path kubeconfig;

    @BeforeAll
    static void start() throws IOException {
        cluster = DevCluster.start(0, List.of(), "127.0.0.1");
        Path dir = E2eSystem.ROOT.resolve("src/native-test/target/install");
        Files.createDirectories(dir);
        kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, cluster.kubeconfig("install-check"));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static List<Path> yamlFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList();
        }
    }

    @Test
    void everyManifestLoadsAndTheApiServerAcceptsIt() throws IOException {
        List<Path> files = new ArrayList<>(yamlFiles(CRDS));
        files.addAll(yamlFiles(K8S));
        assertThat(files).extracting(f -> E2eSystem.ROOT.relativize(f).toString())
                .contains("crds/spheronleases.openspheron.org-v1.yml", "crds/gpudeployments.openspheron.org-v1.yml",
                        "crds/matchingpolicies.openspheron.org-v1.yml", "k8s/provider-operator/20-rbac.yaml",
                        "k8s/matchmaker/20-rbac.yaml", "k8s/matchmaker/40-deployment.yaml",
                        "k8s/samples/matchingpolicy.yaml");
        int applied = 0;
        for (Path file : files) {
            List<HasMetadata> objects;
            try (InputStream in = Files.newInputStream(file)) {
                objects = cluster.client().load(in).items();
            }
            assertThat(objects).as("objects in %s", file).isNotEmpty();
            for (HasMetadata object : objects) {
                assertThat(object.getApiVersion()).as("apiVersion of an object in %s", file).isNotBlank();
                assertThat(object.getMetadata().getName()).as("name of a %s in %s", object.getKind(), file).isNotBlank();
                HasMetadata created = cluster.client().resource(object).create();
                assertThat(created.getMetadata().getUid()).isNotBlank();
                applied++;
            }
        }
        assertThat(cluster.client().apiextensions().v1().customResourceDefinitions().list().getItems())
                .extracting(CustomResourceDefinition::getMetadata).extracting(m -> m.getName())
                .contains("spheronleases.openspheron.org", "gpudeployments.openspheron.org",
                        "matchingpolicies.openspheron.org");
        assertThat(cluster.client().rbac().clusterRoles().withName("spheron-provider-operator").get()).isNotNull();
        assertThat(cluster.client().rbac().roles().inNamespace("spheron-matchmaker").withName("spheron-matchmaker").get())
                .isNotNull();
        assertThat(cluster.client().apps().deployments().inNamespace("spheron-system").list().getItems()).isNotEmpty();
        assertThat(applied).isGreaterThan(files.size());
    }

    @Test
    void kubectlClientSideDryRunAcceptsEveryDirectory() throws Exception {
        assumeTrue(onPath("kubectl"), "kubectl is not installed (Debian: apt-get install kubernetes-client); "
                + "the client-side dry run is skipped");
        List<Path> dirs = new ArrayList<>(List.of(CRDS));
        try (Stream<Path> sub = Files.list(K8S)) {
            sub.filter(Files::isDirectory).sorted().filter(d -> {
                try {
                    return !yamlFiles(d).isEmpty();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).forEach(dirs::add);
        }
        for (Path dir : dirs) {
            Process kubectl = new ProcessBuilder("kubectl", "--kubeconfig", kubeconfig.toString(), "apply", "--dry-run=client",
                    "--validate=false", "-f", dir.toString()).redirectErrorStream(true).start();
            String out = new String(kubectl.getInputStream().readAllBytes());
            assertThat(kubectl.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(kubectl.exitValue()).as("kubectl apply --dry-run=client -f %s:%n%s", dir, out).isZero();
            assertThat(out).as("kubectl output for %s", dir).contains("(dry run)");
        }
    }

    @Test
    void providerOperatorRoleGrantsTheCallsItsCodePathsNeed() {
        // The role file parses into grants the coverage check can use (the flow test checks them against real calls).
        assertThat(RbacCoverage.granted(RbacCoverage.ROLE)).isNotEmpty()
                .contains(new RbacCoverage.Permission("openspheron.org", "spheronleases", "watch"));
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(java.io.File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }
}
