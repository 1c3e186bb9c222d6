package org.openspheron.matchmaker.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.Bid;
import org.openspheron.chain.GpuOffer;
import org.openspheron.chain.Order;
import org.openspheron.chain.OrderSpec;
import org.openspheron.chain.OrderState;
import org.openspheron.chain.Provider;
import org.openspheron.devnet.DevCluster;
import org.openspheron.devnet.GpuNode;
import org.openspheron.matchmaker.scoring.Ranking;
import org.openspheron.matchmaker.scoring.ScoringPolicy;

/**
 * The matchmaker's watch of its MatchingPolicy on a real Kubernetes control plane (bin/spheron-k8s, one for the
 * class), with the generated CRD, whose schema the API server enforces, and the matchmaker's namespace, ServiceAccount
 * and Role from k8s/matchmaker/. The watch runs with that ServiceAccount's token, as it does in its pod, so the real
 * RBAC authorizer judges every call it makes: what the operator writes changes how the real scorer ranks, and the
 * status says so.
 */
class MatchingPolicyWatchTest {
    static final String NAMESPACE = "spheron-matchmaker";
    static final String ACCOUNT = "spheron-matchmaker";
    /** The user the matchmaker's requests carry, as the API server's audit log names it. */
    static final String MATCHMAKER = "system:serviceaccount:" + NAMESPACE + ":" + ACCOUNT;
    static final String NAME = "default";
    static final Path MANIFESTS = Path.of("..", "k8s", "matchmaker");
    /** Best score wins outright, so a ranking shows the weights alone. */
    static final ScoringPolicy PROPERTIES = ScoringPolicy.defaults().withDraw(1, 0);
    static final BigInteger MAX_PRICE = BigInteger.valueOf(10_000_000);
    /** Generous: two shared cores, and a restarted control plane takes its time. */
    static final Duration PATIENCE = Duration.ofSeconds(60);

    static DevCluster cluster;
    static KubernetesClient admin;
    static Path matchmakerKubeconfig;

    KubernetesClient matchmakerClient;
    EffectivePolicy effective;
    MatchingPolicyWatch watch;

    @BeforeAll
    static void startCluster() {
        cluster = DevCluster.start(List.of(new GpuNode("cpu-0", "", 0, 4, 8, "eu-west-1a")));
        admin = cluster.client();
        cluster.applyDirectory(Path.of("target", "crds"));
        for (String file : List.of("00-namespace.yaml", "10-serviceaccount.yaml", "20-rbac.yaml")) {
            cluster.applyFile(MANIFESTS.resolve(file));
        }
        matchmakerKubeconfig = cluster.tokenKubeconfig(ACCOUNT, cluster.serviceAccountToken(NAMESPACE, ACCOUNT));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void startWatch() throws IOException {
        // One cluster for the class: every test starts with no policy in the namespace.
        admin.resources(MatchingPolicy.class).inNamespace(NAMESPACE).delete();
        await().atMost(PATIENCE).until(() -> admin.resources(MatchingPolicy.class).inNamespace(NAMESPACE).list()
                .getItems().isEmpty());
        Config config = Config.fromKubeconfig(Files.readString(matchmakerKubeconfig));
        config.setNamespace(NAMESPACE);
        config.setRequestRetryBackoffLimit(0);
        matchmakerClient = new KubernetesClientBuilder().withConfig(config).build();
        effective = new EffectivePolicy(PROPERTIES);
        watch = new MatchingPolicyWatch(matchmakerClient, NAMESPACE, NAME, effective);
        watch.start();
        await().atMost(PATIENCE).until(watch::synced);
    }

    @AfterEach
    void stopWatch() {
        watch.close();
        matchmakerClient.close();
    }

    @Test
    void aPolicyThatWeighsPriceMoreMakesTheCheapFarBidWin() {
        assertThat(pickUnderEffectivePolicy()).isEqualTo(1);

        apply(policy(weights(w -> w.setPrice(0.6))));

        awaitStatus(s -> ready(s).map(c -> c.getStatus().equals("True")).orElse(false));
        assertThat(effective.current().policy().weights().price()).isEqualTo(0.6);
        assertThat(effective.current().policy().weights().placement()).isEqualTo(PROPERTIES.weights().placement());
        assertThat(pickUnderEffectivePolicy()).isEqualTo(0);
        MatchingPolicyStatus status = read().getStatus();
        assertThat(status.getFingerprint()).isEqualTo(effective.current().fingerprint())
                .isNotEqualTo(PROPERTIES.fingerprint());
        assertThat(status.getEffectivePolicy()).contains("weights.price=0.6");
        assertThat(ready(status).orElseThrow().getReason()).isEqualTo(MatchingPolicyWatch.APPLIED);
        assertThat(effective.current().source()).contains("MatchingPolicy " + NAMESPACE + "/" + NAME);
    }

    @Test
    void aPolicyTheSchemaAllowsButTheScorerCannotUseIsRefusedInItsStatusAndThePreviousPolicyStays() {
        apply(policy(weights(w -> w.setPrice(0.6))));
        awaitStatus(s -> ready(s).map(c -> c.getStatus().equals("True")).orElse(false));
        String good = effective.current().fingerprint();

        // Every weight 0 is within the schema (each is >= 0); only the matchmaker can tell it ranks nothing.
        MatchingPolicy bad = read();
        bad.getSpec().setWeights(allZero());
        admin.resource(bad).update();

        MatchingPolicyStatus status = awaitStatus(s -> ready(s).map(c -> c.getStatus().equals("False")).orElse(false));
        Condition condition = ready(status).orElseThrow();
        assertThat(condition.getReason()).isEqualTo(MatchingPolicyWatch.INVALID);
        assertThat(condition.getMessage()).startsWith("spec.weights:").contains("still ranking with the policy from");
        assertThat(effective.current().fingerprint()).isEqualTo(good);
        assertThat(status.getFingerprint()).isEqualTo(good);
        assertThat(pickUnderEffectivePolicy()).isEqualTo(0);
    }

    @Test
    void weightsThatAreAllZeroAreRefused() {
        apply(policy(allZero()));

        MatchingPolicyStatus status = awaitStatus(s -> ready(s).map(c -> c.getStatus().equals("False")).orElse(false));
        assertThat(ready(status).orElseThrow().getMessage()).startsWith("spec.weights:");
        assertThat(effective.current().policy()).isEqualTo(PROPERTIES);
    }

    @Test
    void theApiServerRefusesAPolicyItsSchemaForbidsSoTheWatchNeverSeesIt() {
        apply(policy(weights(w -> w.setPrice(0.6))));
        awaitStatus(s -> ready(s).map(c -> c.getStatus().equals("True")).orElse(false));
        MatchingPolicy before = read();

        MatchingPolicy negative = read();
        negative.getSpec().getWeights().setReputation(-1.0);
        negative.getSpec().setDrawSize(0);
        assertRefusedBySchema(() -> admin.resource(negative).update(), "spec.weights.reputation", "spec.drawSize");
        MatchingPolicy another = policy(weights(w -> w.setPrice(-0.5)));
        another.getMetadata().setName("negative-price");
        assertRefusedBySchema(() -> apply(another), "spec.weights.price");

        MatchingPolicy after = read();
        assertThat(after.getMetadata().getResourceVersion()).isEqualTo(before.getMetadata().getResourceVersion());
        assertThat(after.getSpec().getWeights().getReputation()).isNull();
        assertThat(admin.resources(MatchingPolicy.class).inNamespace(NAMESPACE).withName("negative-price").get()).isNull();
        assertThat(effective.current().policy().weights().price()).isEqualTo(0.6);
        assertThat(ready(after.getStatus()).orElseThrow().getStatus()).isEqualTo("True");
    }

    @Test
    void deletingThePolicyRevertsToTheProperties() {
        apply(policy(weights(w -> w.setPrice(0.6))));
        await().atMost(PATIENCE).until(() -> effective.current().policy().weights().price() == 0.6);

        admin.resources(MatchingPolicy.class).inNamespace(NAMESPACE).withName(NAME).delete();

        await().atMost(PATIENCE).until(() -> effective.current().policy().equals(PROPERTIES));
        assertThat(effective.current().source()).isEqualTo(EffectivePolicy.PROPERTIES);
        assertThat(pickUnderEffectivePolicy()).isEqualTo(1);
    }

    @Test
    void observedGenerationFollowsEverySpecChange() {
        apply(policy(weights(w -> w.setPrice(0.6))));
        MatchingPolicyStatus first = awaitStatus(s -> s.getObservedGeneration() != null);
        long generation = read().getMetadata().getGeneration();
        assertThat(first.getObservedGeneration()).isEqualTo(generation);

        MatchingPolicy changed = read();
        changed.getSpec().setDrawSize(3);
        admin.resource(changed).update();

        long next = await().atMost(PATIENCE).until(() -> read().getMetadata().getGeneration(), g -> g > generation);
        MatchingPolicyStatus second = awaitStatus(s -> s.getObservedGeneration() == next);
        assertThat(ready(second).orElseThrow().getObservedGeneration()).isEqualTo(next);
        assertThat(effective.current().policy().drawSize()).isEqualTo(3);
        // The status subresource: writing the status bumped no generation, so the watch saw exactly the two specs.
        assertThat(next).isEqualTo(generation + 1);
    }

    @Test
    void aPolicyOfAnotherNameIsNotFollowed() {
        MatchingPolicy other = policy(weights(w -> w.setPrice(0.6)));
        other.getMetadata().setName("someone-else");
        apply(other);
        apply(policy(weights(w -> w.setUptime(0.2))));

        awaitStatus(s -> ready(s).isPresent());
        assertThat(effective.current().policy().weights().uptime()).isEqualTo(0.2);
        assertThat(effective.current().policy().weights().price()).isEqualTo(PROPERTIES.weights().price());
        assertThat(admin.resources(MatchingPolicy.class).inNamespace(NAMESPACE).withName("someone-else")
                .get().getStatus()).isNull();
    }

    @Test
    void whileTheApiServerIsAwayTheLastPolicyStaysAndTheWatchReconnects() throws Exception {
        apply(policy(weights(w -> w.setPrice(0.6))));
        await().atMost(PATIENCE).until(() -> effective.current().policy().weights().price() == 0.6);

        cluster.stop();
        try {
            Thread.sleep(3_000);
            assertThat(effective.current().policy().weights().price()).isEqualTo(0.6);
            assertThat(pickUnderEffectivePolicy()).isEqualTo(0);
        } finally {
            // The same control plane comes back on the same port, with its objects (etcd kept them).
            cluster.restart();
        }
        assertThat(read().getSpec().getWeights().getPrice()).isEqualTo(0.6);

        MatchingPolicy changed = read();
        changed.getSpec().getWeights().setPrice(0.7);
        admin.resource(changed).update();

        await().atMost(PATIENCE).until(() -> effective.current().policy().weights().price() == 0.7);
        awaitStatus(s -> ready(s).map(c -> c.getStatus().equals("True")).orElse(false)
                && s.getEffectivePolicy().contains("weights.price=0.7"));
    }

    @Test
    void theRoleInK8sGrantsTheWatchEveryCallItMakesAndNothingMore() throws Exception {
        apply(policy(weights(w -> w.setPrice(0.6))));
        awaitStatus(s -> ready(s).map(c -> c.getStatus().equals("True")).orElse(false));
        MatchingPolicy bad = read();
        bad.getSpec().setWeights(allZero());
        admin.resource(bad).update();
        awaitStatus(s -> ready(s).map(c -> c.getStatus().equals("False")).orElse(false));
        admin.resources(MatchingPolicy.class).inNamespace(NAMESPACE).withName(NAME).delete();
        await().atMost(PATIENCE).until(() -> effective.current().policy().equals(PROPERTIES));

        Set<String> granted = grantedByRole();
        // The audit log shows a request about a second after it completed.
        Set<String> made = await().atMost(PATIENCE).until(MatchingPolicyWatchTest::madeByMatchmaker,
                m -> m.containsAll(Set.of("list matchingpolicies", "watch matchingpolicies",
                        "update matchingpolicies/status")));
        List<DevCluster.ApiRequest> refused = cluster.requestsBy(MATCHMAKER).stream()
                .filter(r -> r.code() == 401 || r.code() == 403).toList();
        assertThat(refused).as("requests the real RBAC authorizer refused the matchmaker's token").isEmpty();
        assertThat(cluster.requestsBy(MATCHMAKER)).as("the matchmaker stays in its namespace")
                .allMatch(r -> r.namespace().equals(NAMESPACE) && r.apiGroup().equals("openspheron.org"));
        assertThat(granted).as("every grant of k8s/matchmaker/20-rbac.yaml is used, and nothing else is asked")
                .containsExactlyInAnyOrderElementsOf(made);
    }

    /** What the Role in k8s/matchmaker/20-rbac.yaml grants, as {@code verb resource[/subresource]}. */
    private static Set<String> grantedByRole() throws IOException {
        Set<String> granted = new TreeSet<>();
        try (InputStream in = Files.newInputStream(MANIFESTS.resolve("20-rbac.yaml"))) {
            for (var object : admin.load(in).items()) {
                if (object instanceof Role role) {
                    assertThat(role.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
                    role.getRules().forEach(r -> {
                        assertThat(r.getApiGroups()).containsExactly("openspheron.org");
                        r.getResources().forEach(res -> r.getVerbs().forEach(v -> granted.add(v + " " + res)));
                    });
                }
            }
        }
        return granted;
    }

    /** The calls the matchmaker's token made so far, as RBAC names them. */
    private static Set<String> madeByMatchmaker() {
        Set<String> made = new TreeSet<>();
        cluster.requestsBy(MATCHMAKER).forEach(r -> made.add(r.verb() + " " + r.rbacResource()));
        return made;
    }

    private static void assertRefusedBySchema(Runnable write, String... fields) {
        assertThatThrownBy(write::run).isInstanceOf(KubernetesClientException.class).satisfies(e -> {
            KubernetesClientException refused = (KubernetesClientException) e;
            assertThat(refused.getCode()).as("HTTP status of %s", refused.getMessage()).isEqualTo(422);
            assertThat(refused.getMessage()).contains(fields).contains("greater than or equal to");
        });
    }

    // --- the market: one order in eu-west/a, a cheap bid from elsewhere (0) and a dear one in the zone (1) ---

    private int pickUnderEffectivePolicy() {
        OrderSpec spec = new OrderSpec(4000, 16384, 100000, 1, "H100", "eu-west", "a", false, MAX_PRICE, 3600,
                "0x" + "11".repeat(32));
        Order order = new Order(1, "0x" + "ee".repeat(20), OrderState.OPEN, 5, 10_000, BigInteger.TEN, 0, null, spec);
        Provider far = provider(1, "us-east");
        Provider near = provider(2, "eu-west");
        List<Bid> bids = List.of(new Bid(1, 0, far.address(), BigInteger.valueOf(1_000_000), 10),
                new Bid(1, 1, near.address(), BigInteger.valueOf(9_000_000), 10));
        Ranking ranking = effective.get().rank(order, bids, Map.of(far.address(), far, near.address(), near),
                "0x" + "42".repeat(32));
        assertThat(ranking.policyFingerprint()).isEqualTo(effective.current().fingerprint());
        return ranking.pickedBidIndex().orElseThrow();
    }

    private static Provider provider(int n, String region) {
        BigInteger stake = BigInteger.valueOf(100_000_000);
        return new Provider(String.format("0x%040x", n), region, "a", "https://p" + n, stake, stake, BigInteger.ZERO,
                0, 1, 0, 0, 0, 0, 0, BigInteger.ZERO, 1, 10_000, true, List.of(new GpuOffer("H100", 8, 4)));
    }

    // --- the API server side ---

    private static MatchingPolicySpec.Weights weights(Consumer<MatchingPolicySpec.Weights> set) {
        MatchingPolicySpec.Weights w = new MatchingPolicySpec.Weights();
        set.accept(w);
        return w;
    }

    private static MatchingPolicySpec.Weights allZero() {
        return weights(w -> {
            w.setPlacement(0.0);
            w.setPrice(0.0);
            w.setUptime(0.0);
            w.setReputation(0.0);
            w.setAvailability(0.0);
        });
    }

    private static MatchingPolicy policy(MatchingPolicySpec.Weights weights) {
        MatchingPolicy policy = new MatchingPolicy();
        policy.setMetadata(new ObjectMetaBuilder().withName(NAME).withNamespace(NAMESPACE).build());
        MatchingPolicySpec spec = new MatchingPolicySpec();
        spec.setWeights(weights);
        policy.setSpec(spec);
        return policy;
    }

    private static void apply(MatchingPolicy policy) {
        admin.resources(MatchingPolicy.class).inNamespace(NAMESPACE).resource(policy).create();
    }

    private static MatchingPolicy read() {
        return admin.resources(MatchingPolicy.class).inNamespace(NAMESPACE).withName(NAME).get();
    }

    private static MatchingPolicyStatus awaitStatus(Predicate<MatchingPolicyStatus> done) {
        return await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    MatchingPolicy p = read();
                    return p == null ? null : p.getStatus();
                }, s -> s != null && done.test(s));
    }

    private static Optional<Condition> ready(MatchingPolicyStatus status) {
        return status.getConditions().stream().filter(c -> MatchingPolicyWatch.READY.equals(c.getType())).findFirst();
    }
}
