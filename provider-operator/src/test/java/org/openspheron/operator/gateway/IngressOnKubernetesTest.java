package org.openspheron.operator.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openspheron.manifest.ManifestParser;
import org.openspheron.operator.OperatorFixture;
import org.openspheron.operator.deployment.GPUDeployment;
import org.openspheron.operator.deployment.GPUDeploymentStatus;
import org.openspheron.operator.deployment.IngressSettings;

/**
 * A manifest's {@code accept} hosts on a real API server, from the gateway's acceptance to the reconciler's Ingress
 * and the status URIs, with the operator under its own ClusterRole from {@code k8s/}. No ingress controller runs
 * here: the Ingress is checked as an object, not served.
 */
class IngressOnKubernetesTest {
    private static final IngressSettings NGINX_WITH_LETS_ENCRYPT =
            new IngressSettings(Optional.of("nginx"), Optional.of("letsencrypt-prod"));
    private static OperatorFixture fixture;
    private static LeaseCluster leases;

    @BeforeAll
    static void start() {
        fixture = OperatorFixture.withIngress(NGINX_WITH_LETS_ENCRYPT);
        leases = new LeaseCluster(fixture.client, Duration.ZERO);
    }

    @AfterAll
    static void stop() {
        if (leases != null) {
            leases.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    /** An ICL manifest: service web serves HTTP on 80 for {@code hosts} and SSH on 22, both global. */
    static String manifest(String... hosts) {
        String accept = hosts.length == 0 ? "" : "        accept:\n" + String.join("", java.util.Arrays.stream(hosts)
                .map(h -> "          - " + h + "\n").toList());
        return """
                version: "1.0"
                services:
                  web:
                    image: nginx:1.27
                    expose:
                      - port: 8080
                        as: 80
                %s        to:
                          - global: true
                      - port: 22
                        to:
                          - global: true
                profiles:
                  name: hosts
                  mode: provider
                  compute:
                    web:
                      resources:
                        cpu:
                          units: 0.5
                        memory:
                          size: 512Mi
                        storage:
                          - size: 1Gi
                  placement:
                    anywhere:
                      pricing:
                        web:
                          token: uSPON
                          amount: 1
                deployment:
                  web:
                    anywhere:
                      profile: web
                      count: 1
                """.formatted(accept);
    }

    /** What the gateway does with a manifest: translate, refuse taken hosts, write into the lease's namespace. */
    private static LeaseWorkload accept(long leaseId, String yaml) {
        LeaseWorkload workload = ManifestDeploymentTest.ordered(leaseId, ManifestParser.parse(yaml));
        leases.refuseTakenHosts(workload);
        if (fixture.client.namespaces().withName(LeaseCluster.namespace(leaseId)).get() == null) {
            fixture.create(new NamespaceBuilder().withNewMetadata().withName(LeaseCluster.namespace(leaseId)).endMetadata().build());
        }
        leases.apply(workload);
        return workload;
    }

    private static Ingress ingress(long leaseId) {
        return fixture.client.network().v1().ingresses().inNamespace(LeaseCluster.namespace(leaseId)).withName("web").get();
    }

    private static GPUDeployment running(long leaseId) {
        return fixture.awaitValue(() -> leases.deployment(leaseId).orElse(null),
                d -> d.getStatus() != null && d.getStatus().getPhase() == GPUDeploymentStatus.Phase.Running);
    }

    @Test
    void acceptHostsBecomeAnIngressWithTheProvidersClassAndTlsAndTheStatusSaysHttpsAndTcp() {
        accept(51, manifest("www.shop.example", "API.shop.example"));

        Ingress ingress = fixture.awaitValue(() -> ingress(51), i -> true);
        assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
        assertThat(ingress.getMetadata().getAnnotations()).containsEntry("cert-manager.io/cluster-issuer", "letsencrypt-prod");
        assertThat(ingress.getSpec().getRules()).extracting(r -> r.getHost()).containsExactly("www.shop.example", "api.shop.example");
        assertThat(ingress.getSpec().getRules()).allSatisfy(r -> {
            var backend = r.getHttp().getPaths().get(0).getBackend().getService();
            assertThat(backend.getName()).isEqualTo("web");
            assertThat(backend.getPort().getNumber()).isEqualTo(80);
        });
        assertThat(ingress.getSpec().getTls()).singleElement().satisfies(tls -> {
            assertThat(tls.getHosts()).containsExactly("www.shop.example", "api.shop.example");
            assertThat(tls.getSecretName()).isEqualTo("web-tls");
        });
        assertThat(ingress.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(r -> assertThat(r.getKind()).isEqualTo("GPUDeployment"));
        // The HTTP port goes through the ingress controller only; SSH keeps its node port.
        Service external = fixture.client.services().inNamespace("lease-51").withName("web-ext").get();
        assertThat(external.getSpec().getPorts()).extracting(p -> p.getPort()).containsExactly(22);
        int sshPort = external.getSpec().getPorts().get(0).getNodePort();

        GPUDeploymentStatus status = running(51).getStatus();
        assertThat(status.getServices()).singleElement().satisfies(s -> assertThat(s.getUris())
                .containsExactly("https://www.shop.example", "https://api.shop.example", "tcp://127.0.0.1:" + sshPort));
        assertThat(status.getUrl()).isEqualTo("https://www.shop.example");
    }

    @Test
    void theIngressGoesWhenTheHostsGoAndPort80IsThenAnHttpNodePort() {
        accept(52, manifest("blog.shop.example"));
        fixture.awaitValue(() -> ingress(52), i -> true);

        // A merge patch of the spec alone: the reconciler writes the status meanwhile, and the spec is the tenant's.
        GPUDeployment withoutHosts = ManifestDeploymentTest.ordered(52, ManifestParser.parse(manifest())).deployment();
        fixture.client.resources(GPUDeployment.class).inNamespace("lease-52").withName("lease-52")
                .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("spec", withoutHosts.getSpec())));

        fixture.awaitValue(() -> ingress(52) == null ? "gone" : null, gone -> gone != null);
        GPUDeploymentStatus status = fixture.awaitValue(() -> leases.deployment(52).orElseThrow().getStatus(),
                s -> s != null && s.getPhase() == GPUDeploymentStatus.Phase.Running && s.getForwardedPorts().size() == 2);
        assertThat(status.getUrl()).matches("http://127\\.0\\.0\\.1:3\\d{4}");
        assertThat(status.getServices().get(0).getUris()).anySatisfy(u -> assertThat(u).startsWith("tcp://127.0.0.1:"));
    }

    @Test
    void aHostAnotherLeaseServesIsRefusedAtTheGatewayWithItsField() {
        accept(53, manifest("www.victim.example"));
        fixture.awaitValue(() -> ingress(53), i -> true);
        // The same lease's manifest, sent again, is not refused by its own claim.
        accept(53, manifest("www.victim.example"));

        assertThatThrownBy(() -> accept(54, manifest("docs.attacker.example", "WWW.victim.example")))
                .isInstanceOfSatisfying(GatewayError.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.code()).isEqualTo("HostTaken");
                    assertThat(e.field()).isEqualTo("services.web.expose[0].accept[1]");
                    assertThat(e.getMessage()).doesNotContain("lease-53");
                });
        assertThat(leases.deployment(54)).isEmpty();
    }

    @Test
    void aGpuDeploymentAppliedPastTheGatewayGetsNoIngressForAHostAnotherLeaseRoutes() {
        accept(56, manifest("pay.bank.example"));
        fixture.awaitValue(() -> ingress(56), i -> true);
        // As two gateways accepting at the same instant, or a provider applying by hand, would leave it.
        fixture.create(new NamespaceBuilder().withNewMetadata().withName("lease-57").endMetadata().build());
        leases.apply(ManifestDeploymentTest.ordered(57, ManifestParser.parse(manifest("pay.bank.example"))));

        GPUDeployment refused = fixture.awaitValue(() -> leases.deployment(57).orElseThrow(),
                d -> d.getStatus() != null && d.getStatus().getPhase() == GPUDeploymentStatus.Phase.Failed);
        assertThat(refused.getStatus().getConditions()).anySatisfy(c -> assertThat(c.getReason()).isEqualTo("HostTaken"));
        assertThat(ingress(57)).isNull();
        assertThat(ingress(56).getSpec().getRules()).extracting(r -> r.getHost()).containsExactly("pay.bank.example");
    }

    @Test
    void aHostOfAnIngressTheProviderMadeIsRefusedToo() {
        fixture.create(new NamespaceBuilder().withNewMetadata().withName("provider-site").endMetadata().build());
        fixture.create(new IngressBuilder().withNewMetadata().withName("site").withNamespace("provider-site").endMetadata()
                .withNewSpec().addNewRule().withHost("status.provider.example").withNewHttp().addNewPath().withPath("/")
                .withPathType("Prefix").withNewBackend().withNewService().withName("site").withNewPort().withNumber(80)
                .endPort().endService().endBackend().endPath().endHttp().endRule().endSpec().build());

        fixture.awaitValue(() -> {
            try {
                accept(55, manifest("status.provider.example"));
                return null;
            } catch (GatewayError e) {
                return e;
            }
        }, e -> e != null && "HostTaken".equals(e.code()));
    }
}
