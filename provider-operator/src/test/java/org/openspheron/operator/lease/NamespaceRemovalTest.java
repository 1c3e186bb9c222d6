package org.openspheron.operator.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;

/**
 * What the lease reconciler does with the answer to a namespace delete that Kubernetes 1.20 (the control plane the
 * integration tests run) never gives: 1.21 and later refuse a second delete of a terminating namespace with 409.
 * Everything a server decides (a terminating namespace is deleted once, a namespace that is gone is done) is tested
 * on the real API server in {@link SpheronLeaseReconcilerTest}; this replays only the HTTP answer 1.20 cannot give,
 * so fabric8's mock server in expectation mode is enough.
 */
@EnableKubernetesMockClient
class NamespaceRemovalTest {
    static KubernetesClient client;
    static KubernetesMockServer server;

    @Test
    void a409ToTheDeleteMeansTheNamespaceIsGoing() {
        server.expect().get().withPath("/api/v1/namespaces/lease-5")
                .andReturn(200, new NamespaceBuilder().withNewMetadata().withName("lease-5").endMetadata().build()).once();
        server.expect().delete().withPath("/api/v1/namespaces/lease-5")
                .andReturn(409, new StatusBuilder().withStatus("Failure").withReason("Conflict").withCode(409)
                        .withMessage("Operation cannot be fulfilled on namespaces \"lease-5\": The system is ensuring all "
                                + "content is removed from this namespace.  Upon completion, this namespace will "
                                + "automatically be purged by the system.").build()).once();

        assertThat(SpheronLeaseReconciler.removeNamespace(client, "lease-5")).isFalse();
    }
}
