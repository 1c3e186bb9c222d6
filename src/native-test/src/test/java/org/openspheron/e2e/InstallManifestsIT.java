package org.openspheron.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openspheron.devnet.DevCluster;
import org.openspheron.devnet.GpuNode;

/**
 * What a provider and a matchmaker operator apply, applied as README tells them, with kubectl 1.20.2 against a real
 * control plane (bin/spheron-k8s): the namespaces, the Secrets README has them create, then
 * {@code kubectl apply -f crds/ -f k8s/provider-operator/ -f k8s/matchmaker/}. Every object is accepted (schemas,
 * admission, RBAC escalation checks are the real ones), the Deployments' pods are scheduled by the real scheduler
 * onto hollow nodes and made Ready by the real kubelet, and the real RBAC authorizer answers {@code kubectl auth can-i}
 * for the ServiceAccounts as the manifests bind them.
 */
class InstallManifestsIT {
    static final Path CRDS = E2eSystem.ROOT.resolve("crds");
    static final Path K8S = E2eSystem.ROOT.resolve("k8s");
    static final List<Path> INSTALLED = List.of(CRDS, K8S.resolve("provider-operator"), K8S.resolve("matchmaker"));
    static final String OPERATOR = "system:serviceaccount:spheron-system:spheron-provider-operator";
    static final String MATCHMAKER = "system:serviceaccount:spheron-matchmaker:spheron-matchmaker";
    /** The only node without the GPU taint: neither app tolerates it, so this is where both must land. */
    static final String CPU_NODE = "cpu-0";
    static final Duration PATIENCE = Duration.ofSeconds(90);

    static DevCluster cluster;
    static KubernetesClient client;
    static String applyOutput;

    @BeforeAll
    static void install() throws IOException {
        cluster = DevCluster.start(List.of(
                new GpuNode("gpu-h100", "NVIDIA-H100-80GB-HBM3", 4, 16, 64, "eu-west-1a").withTaint(),
                new GpuNode(CPU_NODE, "", 0, 8, 32, "eu-west-1a")));
        client = cluster.client();
        // README, "Installing on a GPU cluster" and "On Kubernetes": namespaces first, then the Secrets the pods read.
        kubectl("apply", "-f", K8S.resolve("provider-operator/00-namespace.yaml").toString(),
                "-f", K8S.resolve("matchmaker/00-namespace.yaml").toString()).ok();
        Path secrets = Files.createDirectories(cluster.dir().resolve("provider-files"));
        // Nothing reads these: the hollow kubelet starts no process. They must exist under the names README gives.
        Files.writeString(secrets.resolve("provider.key"), "0x" + "01".repeat(32) + "\n");
        Files.writeString(secrets.resolve("operator-jwt.pem"), "not read on a hollow node\n");
        Files.writeString(secrets.resolve("peers-jwks.json"), "{\"keys\":[]}\n");
        kubectl("-n", "spheron-system", "create", "secret", "generic", "spheron-provider-key",
                "--from-file=key=" + secrets.resolve("provider.key")).ok();
        kubectl("-n", "spheron-matchmaker", "create", "secret", "generic", "spheron-matchmaker-key",
                "--from-file=key=" + secrets.resolve("provider.key")).ok();
        kubectl("-n", "spheron-matchmaker", "create", "secret", "generic", "spheron-matchmaker-jwt",
                "--from-file=" + secrets.resolve("operator-jwt.pem"),
                "--from-file=" + secrets.resolve("peers-jwks.json")).ok();

        applyOutput = kubectl(applyAll()).ok().output();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everyObjectOfTheInstallFilesIsAcceptedByTheApiServer() throws IOException {
        assertThat(yamlFiles(CRDS)).extracting(f -> E2eSystem.ROOT.relativize(f).toString())
                .contains("crds/spheronleases.openspheron.org-v1.yml", "crds/gpudeployments.openspheron.org-v1.yml",
                        "crds/matchingpolicies.openspheron.org-v1.yml");
        List<HasMetadata> objects = objectsIn(INSTALLED);
        for (HasMetadata object : objects) {
            String line = resourceName(object) + " ";
            assertThat(applyOutput).as("kubectl's word on %s%n%s", line, applyOutput)
                    .containsAnyOf(line + "created", line + "unchanged", line + "configured");
            assertThat(client.resource(object).get()).as("%s stored", line).isNotNull();
        }
        assertThat(applyOutput.lines().filter(l -> !l.startsWith("Warning:")).count()).isEqualTo(objects.size());
        assertThat(client.apiextensions().v1().customResourceDefinitions().list().getItems())
                .filteredOn(crd -> crd.getSpec().getGroup().equals("openspheron.org"))
                .extracting(CustomResourceDefinition::getMetadata).extracting(m -> m.getName())
                .containsExactlyInAnyOrder("spheronleases.openspheron.org", "gpudeployments.openspheron.org",
                        "matchingpolicies.openspheron.org");
    }

    @Test
    void applyingTheSameFilesAgainChangesNothingStored() {
        List<HasMetadata> objects = objectsIn(INSTALLED);
        // The token controller adds each ServiceAccount's token Secret once: let it, before taking the versions.
        cluster.serviceAccountToken("spheron-system", "spheron-provider-operator");
        cluster.serviceAccountToken("spheron-matchmaker", "spheron-matchmaker");
        Map<String, String> versions = versions(objects);

        String again = kubectl(applyAll()).ok().output();

        assertThat(versions(objects)).isEqualTo(versions);
        // The CRDs included: the build drops the generator's "priority: 0" from their printer columns, a default the
        // server does not store, which made kubectl report every CRD "configured" on every apply.
        assertThat(again.lines().filter(l -> !l.startsWith("Warning:")))
                .isNotEmpty().allMatch(l -> l.endsWith(" unchanged"));
    }

    @Test
    void theSamplesAreAcceptedByTheCrdSchemas() {
        kubectl("create", "namespace", "gpu-smoke-test").ok();

        String out = kubectl("apply", "-f", K8S.resolve("samples").toString()).ok().output();

        assertThat(out).contains("gpudeployment.openspheron.org/cuda-smoke-test created",
                "matchingpolicy.openspheron.org/default created");
    }

    @Test
    void theDeploymentsPodsAreScheduledOntoAHollowNodeAndBecomeReady() {
        List<Deployment> deployments = objectsIn(INSTALLED).stream().filter(Deployment.class::isInstance)
                .map(Deployment.class::cast).toList();
        assertThat(deployments).extracting(d -> d.getMetadata().getName())
                .containsExactlyInAnyOrder("spheron-provider-operator", "spheron-matchmaker");
        for (Deployment deployment : deployments) {
            String namespace = deployment.getMetadata().getNamespace();
            String name = namespace + "/" + deployment.getMetadata().getName();
            // Available: its pod passed the readiness probe the manifest declares (the hollow kubelet's network
            // probes pass, the pretend container "answers"), so the ConfigMap, Secrets and token volume it names exist.
            E2eSystem.await(PATIENCE, name + " available", () -> {
                Deployment d = client.apps().deployments().inNamespace(namespace)
                        .withName(deployment.getMetadata().getName()).get();
                return d.getStatus() != null && deployment.getSpec().getReplicas().equals(d.getStatus().getAvailableReplicas());
            });
            // The provider operator runs two replicas (leader election), the matchmaker one.
            List<Pod> pods = client.pods().inNamespace(namespace).withLabels(deployment.getSpec().getSelector().getMatchLabels())
                    .list().getItems().stream().filter(InstallManifestsIT::ready).toList();
            assertThat(pods).hasSize(deployment.getSpec().getReplicas());
            for (Pod pod : pods) {
                assertThat(pod.getSpec().getNodeName()).isEqualTo(CPU_NODE);
                assertThat(pod.getSpec().getServiceAccountName()).isEqualTo(deployment.getSpec().getTemplate().getSpec()
                        .getServiceAccountName());
                assertThat(pod.getStatus().getContainerStatuses()).singleElement().satisfies(c -> {
                    assertThat(c.getImage()).isEqualTo(deployment.getSpec().getTemplate().getSpec().getContainers().get(0)
                            .getImage());
                    assertThat(c.getState().getRunning()).isNotNull();
                    assertThat(c.getRestartCount()).as("restarts (a failing liveness probe)").isZero();
                });
            }
        }
        assertThat(deployments).filteredOn(d -> d.getMetadata().getName().equals("spheron-provider-operator"))
                .singleElement().satisfies(d -> assertThat(d.getSpec().getReplicas()).isEqualTo(2));
    }

    @Test
    void serviceAccountsAndTheirRolesAreBoundAsTheManifestsSay() {
        assertThat(cluster.serviceAccountToken("spheron-system", "spheron-provider-operator")).isNotBlank();
        assertThat(cluster.serviceAccountToken("spheron-matchmaker", "spheron-matchmaker")).isNotBlank();
        var clusterBinding = client.rbac().clusterRoleBindings().withName("spheron-provider-operator").get();
        assertThat(clusterBinding.getRoleRef().getName()).isEqualTo("spheron-provider-operator");
        assertThat(client.rbac().clusterRoles().withName("spheron-provider-operator").get()).isNotNull();
        assertThat(clusterBinding.getSubjects()).extracting(Subject::getKind, Subject::getNamespace, Subject::getName)
                .containsExactly(tuple("ServiceAccount", "spheron-system",
                        "spheron-provider-operator"));
        var binding = client.rbac().roleBindings().inNamespace("spheron-matchmaker").withName("spheron-matchmaker").get();
        assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
        assertThat(client.rbac().roles().inNamespace("spheron-matchmaker").withName("spheron-matchmaker").get()).isNotNull();
        assertThat(binding.getSubjects()).extracting(Subject::getKind, Subject::getNamespace, Subject::getName)
                .containsExactly(tuple("ServiceAccount", "spheron-matchmaker",
                        "spheron-matchmaker"));
    }

    @Test
    void theRbacAuthorizerGrantsEachAccountWhatItNeedsAndNoMore() {
        Map<String, Boolean> expected = new LinkedHashMap<>();
        // The provider operator: leases cluster-wide, workloads in any lease namespace, reads for inventory and logs.
        expected.put(OPERATOR + " watch spheronleases.openspheron.org --all-namespaces", true);
        // Status is written with server-side apply: patch, and no update.
        expected.put(OPERATOR + " patch spheronleases.openspheron.org --subresource=status --all-namespaces", true);
        expected.put(OPERATOR + " update spheronleases.openspheron.org --subresource=status --all-namespaces", false);
        expected.put(OPERATOR + " create namespaces --all-namespaces", true);
        expected.put(OPERATOR + " create deployments.apps -n lease-42", true);
        expected.put(OPERATOR + " create resourcequotas -n lease-42", true);
        expected.put(OPERATOR + " create networkpolicies.networking.k8s.io -n lease-42", true);
        expected.put(OPERATOR + " get pods --subresource=log -n lease-42", true);
        expected.put(OPERATOR + " list nodes --all-namespaces", true);
        expected.put(OPERATOR + " create pods -n lease-42", false);
        expected.put(OPERATOR + " delete nodes --all-namespaces", false);
        expected.put(OPERATOR + " create clusterrolebindings.rbac.authorization.k8s.io --all-namespaces", false);
        expected.put(OPERATOR + " list matchingpolicies.openspheron.org -n spheron-matchmaker", false);
        // Leader election between its replicas: the Lease in its own namespace, no Lease anywhere else.
        expected.put(OPERATOR + " patch leases.coordination.k8s.io -n spheron-system", true);
        expected.put(OPERATOR + " create leases.coordination.k8s.io -n spheron-system", true);
        expected.put(OPERATOR + " patch leases.coordination.k8s.io -n kube-system", false);
        expected.put(OPERATOR + " delete leases.coordination.k8s.io -n spheron-system", false);
        // The matchmaker: its one policy's informer and status, in its own namespace only.
        expected.put(MATCHMAKER + " list matchingpolicies.openspheron.org -n spheron-matchmaker", true);
        expected.put(MATCHMAKER + " watch matchingpolicies.openspheron.org -n spheron-matchmaker", true);
        expected.put(MATCHMAKER + " update matchingpolicies.openspheron.org --subresource=status -n spheron-matchmaker", true);
        expected.put(MATCHMAKER + " update matchingpolicies.openspheron.org -n spheron-matchmaker", false);
        expected.put(MATCHMAKER + " create matchingpolicies.openspheron.org -n spheron-matchmaker", false);
        expected.put(MATCHMAKER + " list matchingpolicies.openspheron.org -n default", false);
        expected.put(MATCHMAKER + " get secrets -n spheron-matchmaker", false);
        expected.put(MATCHMAKER + " list spheronleases.openspheron.org --all-namespaces", false);

        Map<String, String> answered = new LinkedHashMap<>();
        for (String question : expected.keySet()) {
            String[] words = question.split(" ");
            List<String> args = new ArrayList<>(List.of("auth", "can-i"));
            args.addAll(List.of(words).subList(1, words.length));
            args.add("--as=" + words[0]);
            // A bare yes or no: a misspelt resource would add a warning, and its "no" would prove nothing.
            answered.put(question, kubectl(args.toArray(String[]::new)).output().strip());
        }
        Map<String, String> wanted = new LinkedHashMap<>();
        expected.forEach((question, yes) -> wanted.put(question, yes ? "yes" : "no"));
        assertThat(answered).isEqualTo(wanted);
    }

    /**
     * Review finding: the operator's ClusterRole granted every verb on Secrets cluster-wide while the internet-facing
     * gateway runs in the same process, so one bug in the gateway could read every Secret of the cluster (other
     * tenants' env, the provider's own key, service-account tokens) or rewrite them. Now it may create Secrets and
     * delete them by name, read and renew only its own identity Secret, and nothing else.
     */
    @Test
    void aCompromisedGatewayCannotReadOrRewriteSecretsItDidNotWrite() {
        Map<String, Boolean> expected = new LinkedHashMap<>();
        expected.put("get secrets -n kube-system", false);
        expected.put("list secrets --all-namespaces", false);
        expected.put("watch secrets --all-namespaces", false);
        expected.put("get secrets -n lease-42", false);
        expected.put("list secrets -n lease-42", false);
        expected.put("get secrets/spheron-provider-key -n spheron-system", false);
        expected.put("update secrets -n lease-42", false);
        expected.put("patch secrets -n kube-system", false);
        expected.put("deletecollection secrets -n lease-42", false);
        expected.put("update secrets/spheron-provider-key -n spheron-system", false);
        // what the gateway does: a manifest's immutable Secrets, deleted by name on a tear-down; its own identity
        expected.put("create secrets -n lease-42", true);
        expected.put("delete secrets -n lease-42", true);
        expected.put("get secrets/spheron-gateway-identity -n spheron-system", true);
        expected.put("update secrets/spheron-gateway-identity -n spheron-system", true);

        Map<String, String> answered = new LinkedHashMap<>();
        for (String question : expected.keySet()) {
            List<String> args = new ArrayList<>(List.of("auth", "can-i"));
            args.addAll(List.of(question.split(" ")));
            args.add("--as=" + OPERATOR);
            answered.put(question, kubectl(args.toArray(String[]::new)).output().strip());
        }
        Map<String, String> wanted = new LinkedHashMap<>();
        expected.forEach((question, yes) -> wanted.put(question, yes ? "yes" : "no"));
        assertThat(answered).isEqualTo(wanted);
    }

    @Test
    void providerOperatorRoleGrantsTheCallsItsCodePathsNeed() {
        // The role file parses into grants the coverage check can use (the flow test checks them against real calls).
        assertThat(RbacCoverage.granted(RbacCoverage.ROLE)).isNotEmpty()
                .contains(new RbacCoverage.Permission("openspheron.org", "spheronleases", "watch"));
    }

    // --- kubectl and the files ---

    /** The command of the brief and README: {@code kubectl apply -f crds/ -f k8s/provider-operator/ -f k8s/matchmaker/}. */
    private static String[] applyAll() {
        List<String> args = new ArrayList<>(List.of("apply"));
        INSTALLED.forEach(dir -> args.addAll(List.of("-f", dir.toString())));
        return args.toArray(String[]::new);
    }

    record Result(String command, int exit, String output) {
        Result ok() {
            assertThat(exit).as("kubectl %s:%n%s", command, output).isZero();
            return this;
        }
    }

    /** kubectl 1.20.2 with the cluster's admin kubeconfig, its cache in the cluster's directory; output and code. */
    static Result kubectl(String... args) {
        DevCluster.KubectlResult result = cluster.runKubectl(args);
        return new Result(result.command(), result.exit(), result.output());
    }

    private static boolean ready(Pod pod) {
        return pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** How kubectl names an object in its output: {@code kind.group/name}, the kind lower-cased. */
    private static String resourceName(HasMetadata object) {
        String apiVersion = object.getApiVersion();
        String group = apiVersion.contains("/") ? "." + apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        return object.getKind().toLowerCase() + group + "/" + object.getMetadata().getName();
    }

    /**
     * What changes when a write changes an object: its generation where it has one (its spec; controllers write
     * the status beside it), else its resourceVersion.
     */
    private static Map<String, String> versions(List<HasMetadata> objects) {
        Map<String, String> versions = new LinkedHashMap<>();
        for (HasMetadata object : objects) {
            var stored = client.resource(object).get().getMetadata();
            versions.put(resourceName(object) + " in " + object.getMetadata().getNamespace(),
                    stored.getGeneration() != null ? "generation " + stored.getGeneration()
                            : "resourceVersion " + stored.getResourceVersion());
        }
        return versions;
    }

    static List<HasMetadata> objectsIn(List<Path> dirs) {
        List<HasMetadata> objects = new ArrayList<>();
        for (Path dir : dirs) {
            for (Path file : yamlFiles(dir)) {
                try (InputStream in = Files.newInputStream(file)) {
                    List<HasMetadata> loaded = client.load(in).items();
                    assertThat(loaded).as("objects in %s", file).isNotEmpty();
                    objects.addAll(loaded);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return objects;
    }

    static List<Path> yamlFiles(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
