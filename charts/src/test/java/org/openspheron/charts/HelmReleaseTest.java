package org.openspheron.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import com.marcnuri.helm.ReleaseHistory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.openspheron.devnet.DevCluster;
import org.openspheron.devnet.GpuNode;

/**
 * The charts on a real control plane (bin/spheron-k8s, one for the class): Helm's own install, upgrade and uninstall
 * (helm-java) with the cluster's admin kubeconfig, as README's "Installing with Helm" runs them, and what the charts
 * render put through the API server's dry run (admission, schema validation and defaulting run; nothing is stored).
 */
class HelmReleaseTest {
    static final List<ChartSource> CHARTS = ChartSource.ALL;
    static final String RELEASE = "spheron";
    static final String UPGRADED_RPC_URL = "https://rpc.upgraded.example.net";
    /** Two shared cores: everything here waits up to a minute. */
    static final long PATIENCE_MILLIS = 60_000;

    static DevCluster cluster;
    static KubernetesClient client;
    static Kubectl kubectl;

    @BeforeAll
    static void startCluster() {
        cluster = DevCluster.start(List.of(new GpuNode("cpu-0", "", 0, 8, 16, "eu-west-1a")));
        client = cluster.client();
        kubectl = Kubectl.of(cluster);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @ParameterizedTest
    @FieldSource("CHARTS")
    void everyDocumentHelmRendersPassesTheApiServersDryRun(ChartSource chart) throws IOException {
        Map<String, String> renders = new LinkedHashMap<>();
        renders.put(chart.namespace() + "-defaults",
                HelmChartTest.template(chart, chart.namespace(), t -> t.set("namespace.create", "true")));
        renders.put(HelmChartTest.OTHER_NAMESPACE + "-overrides",
                HelmChartTest.template(chart, HelmChartTest.OTHER_NAMESPACE, ChartOverrides.values(chart)));
        Path dir = Files.createDirectories(ChartFilesTest.ROOT.resolve("charts/target/rendered"));
        for (Map.Entry<String, String> render : renders.entrySet()) {
            // A dry run stores nothing, not even the Namespace it renders: the namespaced objects need it to exist.
            String namespace = render.getKey().substring(0, render.getKey().lastIndexOf('-'));
            if (client.namespaces().withName(namespace).get() == null) {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
                        .build()).create();
            }
            Path file = dir.resolve(chart.name() + "-" + render.getKey() + ".yaml");
            Files.writeString(file, render.getValue());

            String out = kubectl.run("apply", "--dry-run=server", "-f", file.toString()).ok().output();

            long accepted = out.lines().filter(l -> l.endsWith("(server dry run)")).count();
            assertThat(accepted).as("documents the API server accepted in its dry run of %s:%n%s", file, out)
                    .isEqualTo(HelmChartTest.documents(render.getValue(), chart).size());
            assertThat(client.apps().deployments().inNamespace(namespace).withName(chart.name()).get())
                    .as("a dry run stores nothing").isNull();
        }
    }

    @ParameterizedTest
    @FieldSource("CHARTS")
    void aChartInstalledAloneCreatesItsOwnCrdsAndNoOther(ChartSource chart) {
        removeProtocolCrds();
        try {
            install(chart);
            assertThat(crdNames()).as("CRDs after installing only %s", chart.name())
                    .containsExactlyInAnyOrderElementsOf(chart.crds());
        } finally {
            uninstall(chart);
        }
        assertThat(crdNames()).as("Helm leaves the CRDs of crds/ on uninstall").containsExactlyInAnyOrderElementsOf(chart.crds());
    }

    @Test
    void bothChartsInstallIntoOneClusterEachCreatingItsOwnCrdsAndUninstallLeavesThem() {
        removeProtocolCrds();
        Map<ChartSource, List<HasMetadata>> objects = new LinkedHashMap<>();
        Set<String> installedCrds = new TreeSet<>();
        Map<String, String> crdUids = new TreeMap<>();
        try {
            for (ChartSource chart : CHARTS) {
                Release release = install(chart);
                assertThat(release.getStatus()).isEqualTo("deployed");
                assertThat(release.getRevision()).isEqualTo("1");
                objects.put(chart, rendered(chart));
                installedCrds.addAll(chart.crds());
                assertThat(crdNames()).as("CRDs after installing %s", chart.name())
                        .containsExactlyInAnyOrderElementsOf(installedCrds);
            }

            assertThat(Helm.list().allNamespaces().withKubeConfig(cluster.kubeconfig()).call())
                    .extracting(Release::getName, Release::getNamespace, Release::getStatus)
                    .containsExactlyInAnyOrder(CHARTS.stream().map(c -> tuple(
                            RELEASE, c.namespace(), "deployed")).toArray(Tuple[]::new));
            for (ChartSource chart : CHARTS) {
                assertThat(releaseRecords(chart)).as("Helm's release record of %s", chart.name()).hasSize(1);
                for (HasMetadata object : objects.get(chart)) {
                    HasMetadata stored = client.resource(object).get();
                    assertThat(stored).as("%s %s of %s", object.getKind(), object.getMetadata().getName(), chart.name())
                            .isNotNull();
                    assertThat(stored.getMetadata().getAnnotations())
                            .containsEntry("meta.helm.sh/release-name", RELEASE)
                            .containsEntry("meta.helm.sh/release-namespace", chart.namespace());
                }
            }
            // Helm creates a chart's crds/ as they are and marks none as the release's own: no uninstall removes them.
            for (CustomResourceDefinition crd : crds()) {
                assertThat(crd.getMetadata().getAnnotations() == null ? Map.of() : crd.getMetadata().getAnnotations())
                        .as("Helm ownership of CRD %s", crd.getMetadata().getName())
                        .doesNotContainKey("meta.helm.sh/release-name");
                crdUids.put(crd.getMetadata().getName(), crd.getMetadata().getUid());
            }
        } finally {
            CHARTS.forEach(HelmReleaseTest::uninstall);
        }

        for (ChartSource chart : CHARTS) {
            for (HasMetadata object : objects.getOrDefault(chart, List.of())) {
                await(object.getKind() + " " + object.getMetadata().getName() + " is deleted by helm uninstall",
                        () -> client.resource(object).get() == null);
            }
            assertThat(releaseRecords(chart)).as("release records of %s after uninstall", chart.name()).isEmpty();
        }
        assertThat(Helm.list().allNamespaces().withKubeConfig(cluster.kubeconfig()).call()).isEmpty();
        assertThat(crds()).as("the CRDs both installs created, still there after both uninstalls, not recreated")
                .extracting(c -> c.getMetadata().getName(), c -> c.getMetadata().getUid())
                .containsExactlyInAnyOrderElementsOf(crdUids.entrySet().stream()
                        .map(e -> tuple(e.getKey(), e.getValue())).toList());
    }

    @ParameterizedTest
    @FieldSource("CHARTS")
    void anUpgradeWithChangedValuesChangesThoseObjectsInPlace(ChartSource chart) {
        String namespace = chart.namespace();
        try {
            install(chart);
            ConfigMap configBefore = client.configMaps().inNamespace(namespace).withName(chart.name()).get();
            Deployment deploymentBefore = client.apps().deployments().inNamespace(namespace).withName(chart.name()).get();
            String image = deploymentBefore.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();

            Release upgraded = new Helm(HelmChartTest.chartDir(chart)).upgrade().withName(RELEASE)
                    .withNamespace(namespace).withKubeConfig(cluster.kubeconfig())
                    .set("config.SPHERON_CHAIN_RPC_URL", UPGRADED_RPC_URL).set("image.tag", "9.9.9").call();

            assertThat(upgraded.getStatus()).isEqualTo("deployed");
            assertThat(upgraded.getRevision()).isEqualTo("2");
            ConfigMap config = client.configMaps().inNamespace(namespace).withName(chart.name()).get();
            assertThat(config.getData()).containsEntry("SPHERON_CHAIN_RPC_URL", UPGRADED_RPC_URL);
            assertThat(config.getMetadata().getUid()).as("updated, not replaced").isEqualTo(configBefore.getMetadata().getUid());
            Deployment deployment = client.apps().deployments().inNamespace(namespace).withName(chart.name()).get();
            assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                    .isEqualTo(image.substring(0, image.lastIndexOf(':')) + ":9.9.9");
            assertThat(deployment.getMetadata().getUid()).isEqualTo(deploymentBefore.getMetadata().getUid());
            assertThat(deployment.getMetadata().getGeneration()).isGreaterThan(deploymentBefore.getMetadata().getGeneration());
            assertThat(releaseRecords(chart)).as("one record per revision").hasSize(2);
            assertThat(Helm.history(RELEASE).withNamespace(namespace).withKubeConfig(cluster.kubeconfig()).call())
                    .extracting(ReleaseHistory::getRevision, ReleaseHistory::getStatus)
                    .containsExactly(tuple(1, "superseded"),
                            tuple(2, "deployed"));
        } finally {
            uninstall(chart);
        }
    }

    /** {@code helm install spheron charts/<chart> -n <namespace> --create-namespace}, with default values. */
    private static Release install(ChartSource chart) {
        return new Helm(HelmChartTest.chartDir(chart)).install().withName(RELEASE).withNamespace(chart.namespace())
                .createNamespace().withKubeConfig(cluster.kubeconfig()).call();
    }

    private static void uninstall(ChartSource chart) {
        Helm.uninstall(RELEASE).withNamespace(chart.namespace()).ignoreNotFound().withKubeConfig(cluster.kubeconfig())
                .call();
    }

    /** The objects of the chart's templates, as {@code helm install} renders them with default values. */
    private static List<HasMetadata> rendered(ChartSource chart) {
        String templates = new Helm(HelmChartTest.chartDir(chart)).template().withName(RELEASE)
                .withNamespace(chart.namespace()).call();
        List<HasMetadata> objects = new ArrayList<>(client.load(
                new ByteArrayInputStream(templates.getBytes(StandardCharsets.UTF_8))).items());
        assertThat(objects).isNotEmpty();
        return objects;
    }

    /** Helm's release records: Secrets labelled owner=helm in the release namespace, one per revision. */
    private static List<?> releaseRecords(ChartSource chart) {
        return client.secrets().inNamespace(chart.namespace()).withLabel("owner", "helm").withLabel("name", RELEASE)
                .list().getItems().stream().filter(s -> "helm.sh/release.v1".equals(s.getType())).toList();
    }

    private static List<CustomResourceDefinition> crds() {
        return client.apiextensions().v1().customResourceDefinitions().list().getItems().stream()
                .filter(c -> c.getSpec().getGroup().equals("openspheron.org")).toList();
    }

    private static List<String> crdNames() {
        return crds().stream().map(c -> c.getMetadata().getName()).toList();
    }

    /**
     * A cluster no chart has been installed in: other tests of this class install the charts, and Helm leaves their
     * CRDs behind.
     */
    private static void removeProtocolCrds() {
        crds().forEach(crd -> client.resource(crd).delete());
        await("the openspheron.org CRDs are deleted", () -> crds().isEmpty());
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.currentTimeMillis() + PATIENCE_MILLIS;
        while (!condition.getAsBoolean()) {
            assertThat(System.currentTimeMillis()).as("within %d s: %s", PATIENCE_MILLIS / 1000, what).isLessThan(deadline);
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
