package org.openspheron.operator.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.identity.ClientIdentity;
import org.openspheron.chain.identity.TlsContexts;
import org.openspheron.devnet.DevCluster;

/**
 * A namespace delete answered 409, on the real API server. Kubernetes 1.21 and later refuse a second delete of a
 * terminating namespace with 409 Conflict; 1.20 (the control plane the tests build) answers 200, so the answer is
 * made by a real validating admission webhook the API server calls over TLS: it refuses deleting namespaces labelled
 * for it with code 409, the message 1.21 gives, exactly as a newer server's refusal reaches the client. Everything
 * else a server decides (a terminating namespace is deleted once, a namespace that is gone is done) is tested in
 * {@link SpheronLeaseReconcilerTest}.
 */
class NamespaceRemovalTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LABEL = "openspheron.org/test-refuse-delete";

    private static DevCluster cluster;
    private static KubernetesClient client;
    private static HttpsServer webhook;
    private static final AtomicInteger refused = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        cluster = DevCluster.start(List.of());
        client = cluster.client();
        ClientIdentity identity = ClientIdentity.create("0x" + "00".repeat(20), List.of("127.0.0.1"), Duration.ofHours(2));
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(new KeyManager[] {TlsContexts.keyManager(identity)}, null, null);
        webhook = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        webhook.setHttpsConfigurator(new HttpsConfigurator(tls));
        webhook.createContext("/refuse-delete", exchange -> {
            JsonNode review = JSON.readTree(exchange.getRequestBody());
            refused.incrementAndGet();
            byte[] answer = JSON.writeValueAsBytes(Map.of("apiVersion", "admission.k8s.io/v1", "kind", "AdmissionReview",
                    "response", Map.of("uid", review.at("/request/uid").asText(), "allowed", false,
                            "status", Map.of("code", 409, "reason", "Conflict", "message", "Operation cannot be fulfilled "
                                    + "on namespaces \"" + review.at("/request/name").asText() + "\": The system is "
                                    + "ensuring all content is removed from this namespace.  Upon completion, this "
                                    + "namespace will automatically be purged by the system."))));
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            } catch (IOException e) {
                // the API server gave up waiting: the test's assertion says so
            }
        });
        webhook.start();
        String caBundle = Base64.getEncoder().encodeToString(ClientIdentity.pem(identity.certificate())
                .getBytes(StandardCharsets.US_ASCII));
        client.resource(new ValidatingWebhookConfigurationBuilder()
                .withNewMetadata().withName("refuse-namespace-delete").endMetadata()
                .addNewWebhook().withName("refuse-delete.test.openspheron.org")
                .withNewClientConfig().withUrl("https://127.0.0.1:" + webhook.getAddress().getPort() + "/refuse-delete")
                .withCaBundle(caBundle).endClientConfig()
                .addNewRule().withOperations("DELETE").withApiGroups("").withApiVersions("v1").withResources("namespaces")
                .endRule()
                .withNewObjectSelector().addToMatchLabels(LABEL, "true").endObjectSelector()
                .withSideEffects("None").withAdmissionReviewVersions("v1").withFailurePolicy("Fail").withTimeoutSeconds(5)
                .endWebhook().build()).create();
    }

    @AfterAll
    static void stop() {
        if (webhook != null) {
            webhook.stop(0);
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void a409ToTheDeleteMeansTheNamespaceIsGoing() {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("lease-5")
                .addToLabels(LABEL, "true").endMetadata().build()).create();
        // The API server reads webhook configurations from an informer: wait until it refuses like a 1.21 server.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            try {
                client.namespaces().withName("lease-5").delete();
                return false;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                return e.getCode() == 409;
            }
        });
        int before = refused.get();

        assertThat(SpheronLeaseReconciler.removeNamespace(client, "lease-5")).isFalse();

        assertThat(refused.get()).as("the delete reached the API server and was refused there").isGreaterThan(before);
        assertThat(client.namespaces().withName("lease-5").get()).as("a refused delete removes nothing").isNotNull();
    }

    @Test
    void aNamespaceThatIsGoneIsDone() {
        assertThat(SpheronLeaseReconciler.removeNamespace(client, "lease-6")).isTrue();
    }
}
