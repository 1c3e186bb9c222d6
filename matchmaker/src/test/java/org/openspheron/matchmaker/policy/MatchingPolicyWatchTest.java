package org.openspheron.matchmaker.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.Bid;
import org.openspheron.chain.GpuOffer;
import org.openspheron.chain.Order;
import org.openspheron.chain.OrderSpec;
import org.openspheron.chain.OrderState;
import org.openspheron.chain.Provider;
import org.openspheron.devnet.DevCluster;
import org.openspheron.matchmaker.scoring.Ranking;
import org.openspheron.matchmaker.scoring.ScoringPolicy;

/**
 * The matchmaker's watch of its MatchingPolicy against a stand-in API server (fabric8's mock in CRUD mode, with the
 * generated CRD applied): what the operator writes changes how the real scorer ranks, and the status says so.
 */
class MatchingPolicyWatchTest {
    static final String NAMESPACE = "spheron-matchmaker";
    static final String NAME = "default";
    /** Best score wins outright, so a ranking shows the weights alone. */
    static final ScoringPolicy PROPERTIES = ScoringPolicy.defaults().withDraw(1, 0);
    static final BigInteger MAX_PRICE = BigInteger.valueOf(10_000_000);

    DevCluster cluster;
    KubernetesClient matchmakerClient;
    EffectivePolicy effective;
    MatchingPolicyWatch watch;

    @BeforeEach
    void start() {
        cluster = DevCluster.start(0, List.of(), "127.0.0.1");
        cluster.applyDirectory(Path.of("target", "crds"));
        matchmakerClient = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(cluster.url())
                .withNamespace(NAMESPACE).withRequestRetryBackoffLimit(0).build()).build();
        effective = new EffectivePolicy(PROPERTIES);
        watch = new MatchingPolicyWatch(matchmakerClient, NAMESPACE, NAME, effective);
        watch.start();
        await().atMost(Duration.ofSeconds(30)).until(watch::synced);
    }

    @AfterEach
    void stop() {
        watch.close();
        matchmakerClient.close();
        cluster.close();
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
    void anInvalidPolicyIsRefusedInItsStatusAndThePreviousPolicyStays() {
        apply(policy(weights(w -> w.setPrice(0.6))));
        awaitStatus(s -> ready(s).map(c -> c.getStatus().equals("True")).orElse(false));
        String good = effective.current().fingerprint();

        MatchingPolicy bad = read();
        bad.getSpec().getWeights().setReputation(-1.0);
        cluster.client().resource(bad).update();

        MatchingPolicyStatus status = awaitStatus(s -> ready(s).map(c -> c.getStatus().equals("False")).orElse(false));
        Condition condition = ready(status).orElseThrow();
        assertThat(condition.getReason()).isEqualTo(MatchingPolicyWatch.INVALID);
        assertThat(condition.getMessage()).contains("spec.weights.reputation").contains("-1.0");
        assertThat(effective.current().fingerprint()).isEqualTo(good);
        assertThat(status.getFingerprint()).isEqualTo(good);
        assertThat(pickUnderEffectivePolicy()).isEqualTo(0);
    }

    @Test
    void weightsThatAreAllZeroAreRefused() {
        apply(policy(weights(w -> {
            w.setPlacement(0.0);
            w.setPrice(0.0);
            w.setUptime(0.0);
            w.setReputation(0.0);
            w.setAvailability(0.0);
        })));

        MatchingPolicyStatus status = awaitStatus(s -> ready(s).map(c -> c.getStatus().equals("False")).orElse(false));
        assertThat(ready(status).orElseThrow().getMessage()).startsWith("spec.weights:");
        assertThat(effective.current().policy()).isEqualTo(PROPERTIES);
    }

    @Test
    void deletingThePolicyRevertsToTheProperties() {
        apply(policy(weights(w -> w.setPrice(0.6))));
        await().atMost(Duration.ofSeconds(30)).until(() -> effective.current().policy().weights().price() == 0.6);

        cluster.client().resources(MatchingPolicy.class).inNamespace(NAMESPACE).withName(NAME).delete();

        await().atMost(Duration.ofSeconds(30)).until(() -> effective.current().policy().equals(PROPERTIES));
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
        cluster.client().resource(changed).update();

        long next = await().atMost(Duration.ofSeconds(30)).until(() -> read().getMetadata().getGeneration(),
                g -> g > generation);
        MatchingPolicyStatus second = awaitStatus(s -> s.getObservedGeneration() == next);
        assertThat(ready(second).orElseThrow().getObservedGeneration()).isEqualTo(next);
        assertThat(effective.current().policy().drawSize()).isEqualTo(3);
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
        assertThat(cluster.client().resources(MatchingPolicy.class).inNamespace(NAMESPACE).withName("someone-else")
                .get().getStatus()).isNull();
    }

    @Test
    void whileTheApiServerIsAwayTheLastPolicyStaysAndTheWatchReconnects() throws Exception {
        apply(policy(weights(w -> w.setPrice(0.6))));
        await().atMost(Duration.ofSeconds(30)).until(() -> effective.current().policy().weights().price() == 0.6);
        int port = cluster.port();

        cluster.close();
        Thread.sleep(2_000);
        assertThat(effective.current().policy().weights().price()).isEqualTo(0.6);
        assertThat(pickUnderEffectivePolicy()).isEqualTo(0);

        // The API server comes back (empty: the stand-in keeps nothing) and the operator applies a new policy.
        cluster = DevCluster.start(port, List.of(), "127.0.0.1");
        cluster.applyDirectory(Path.of("target", "crds"));
        apply(policy(weights(w -> w.setPrice(0.7))));

        await().atMost(Duration.ofSeconds(60)).until(() -> effective.current().policy().weights().price() == 0.7);
        awaitStatus(s -> ready(s).map(c -> c.getStatus().equals("True")).orElse(false));
    }

    @Test
    void theWatchMakesOnlyTheCallsItsRoleGrants() throws Exception {
        apply(policy(weights(w -> w.setPrice(0.6))));
        awaitStatus(s -> ready(s).map(c -> c.getStatus().equals("True")).orElse(false));
        MatchingPolicy bad = read();
        bad.getSpec().setDrawSize(0);
        cluster.client().resource(bad).update();
        awaitStatus(s -> ready(s).map(c -> c.getStatus().equals("False")).orElse(false));
        cluster.client().resources(MatchingPolicy.class).inNamespace(NAMESPACE).withName(NAME).delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> effective.current().policy().equals(PROPERTIES));

        java.util.Set<String> granted = new java.util.TreeSet<>();
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(Path.of("..", "k8s", "matchmaker", "20-rbac.yaml"))) {
            for (var object : cluster.client().load(in).items()) {
                if (object instanceof io.fabric8.kubernetes.api.model.rbac.Role role) {
                    assertThat(role.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
                    role.getRules().forEach(r -> r.getResources().forEach(res -> r.getVerbs()
                            .forEach(v -> granted.add(v + " " + res))));
                }
            }
        }
        java.util.Set<String> made = new java.util.TreeSet<>();
        cluster.requests().forEach(r -> made.add(verb(r)));
        assertThat(made).contains("list matchingpolicies", "watch matchingpolicies", "update matchingpolicies/status");
        assertThat(granted).containsExactlyInAnyOrderElementsOf(made);
    }

    /** A request as RBAC sees it: verb and resource (with subresource). */
    private static String verb(DevCluster.ApiRequest request) {
        String path = request.path();
        boolean watch = path.contains("watch=true");
        String[] parts = (path.contains("?") ? path.substring(0, path.indexOf('?')) : path).split("/");
        int at = java.util.Arrays.asList(parts).indexOf("matchingpolicies");
        assertThat(at).as("a call outside matchingpolicies: %s", request).isPositive();
        boolean collection = at == parts.length - 1;
        String resource = parts.length > at + 2 ? "matchingpolicies/" + parts[at + 2] : "matchingpolicies";
        String verb = switch (request.method()) {
            case "GET" -> collection ? (watch ? "watch" : "list") : "get";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "POST" -> "create";
            case "DELETE" -> "delete";
            default -> request.method();
        };
        return verb + " " + resource;
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
                0, 1, 0, 0, 0, 0, BigInteger.ZERO, 1, 10_000, true, List.of(new GpuOffer("H100", 8, 4)));
    }

    // --- the API server side ---

    private static MatchingPolicySpec.Weights weights(java.util.function.Consumer<MatchingPolicySpec.Weights> set) {
        MatchingPolicySpec.Weights w = new MatchingPolicySpec.Weights();
        set.accept(w);
        return w;
    }

    private static MatchingPolicy policy(MatchingPolicySpec.Weights weights) {
        MatchingPolicy policy = new MatchingPolicy();
        policy.setMetadata(new ObjectMetaBuilder().withName(NAME).withNamespace(NAMESPACE).build());
        MatchingPolicySpec spec = new MatchingPolicySpec();
        spec.setWeights(weights);
        policy.setSpec(spec);
        return policy;
    }

    private void apply(MatchingPolicy policy) {
        cluster.client().resources(MatchingPolicy.class).inNamespace(NAMESPACE).resource(policy).create();
    }

    private MatchingPolicy read() {
        return cluster.client().resources(MatchingPolicy.class).inNamespace(NAMESPACE).withName(NAME).get();
    }

    private MatchingPolicyStatus awaitStatus(Predicate<MatchingPolicyStatus> done) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    MatchingPolicy p = read();
                    return p == null ? null : p.getStatus();
                }, s -> s != null && done.test(s));
    }

    private static java.util.Optional<Condition> ready(MatchingPolicyStatus status) {
        return status.getConditions().stream().filter(c -> MatchingPolicyWatch.READY.equals(c.getType())).findFirst();
    }
}
