package org.openspheron.operator.crd;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Writes Kubernetes Events (core/v1, which {@code kubectl describe} and {@code kubectl get events} read) about the
 * operator's objects, so a provider sees what happened to a lease or workload and why without reading the
 * operator's log.
 *
 * <p>The same note about the same object is one Event whose {@code count} and {@code lastTimestamp} grow, as the
 * kubelet's recorder aggregates: the name is the object's name and a hash of its uid, type, reason and message, so a
 * retry that fails the same way a hundred times adds no objects. Events of a cluster-scoped object (a SpheronLease)
 * go to {@code default}, where kubectl's describe finds them. Recording is best effort: an Event the API server
 * refuses (RBAC, a namespace being deleted) is logged and never fails the reconcile that noted it.
 */
public final class EventRecorder {
    /** Events' {@code source.component} and {@code reportingComponent}. */
    public static final String COMPONENT = "spheron-provider-operator";
    /** The namespace Events of cluster-scoped objects are written to. */
    public static final String CLUSTER_SCOPED_NAMESPACE = "default";
    private static final int MAX_MESSAGE = 1024;
    private static final Logger LOG = Logger.getLogger(EventRecorder.class);
    private static final String INSTANCE = System.getenv().getOrDefault("HOSTNAME", COMPONENT);

    private EventRecorder() {
    }

    /** One thing worth telling about an object: {@code Normal} or {@code Warning}, a CamelCase reason, a message. */
    public record Note(String type, String reason, String message) {
        public static Note normal(String reason, String message) {
            return new Note("Normal", reason, message);
        }

        public static Note warning(String reason, String message) {
            return new Note("Warning", reason, message);
        }

        public boolean isWarning() {
            return "Warning".equals(type);
        }
    }

    /** Records each of {@code notes} about {@code object}. */
    public static void record(KubernetesClient client, HasMetadata object, List<Note> notes) {
        for (Note note : notes) {
            record(client, object, note);
        }
    }

    /** Records {@code note} about {@code object}: a new Event, or one more count on the same one. */
    public static void record(KubernetesClient client, HasMetadata object, Note note) {
        String namespace = object.getMetadata().getNamespace() == null ? CLUSTER_SCOPED_NAMESPACE : object.getMetadata().getNamespace();
        String name = eventName(object, note);
        String message = note.message() == null ? "" : note.message().length() > MAX_MESSAGE
                ? note.message().substring(0, MAX_MESSAGE - 3) + "..." : note.message();
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        var events = client.v1().events().inNamespace(namespace);
        try {
            try {
                events.resource(new EventBuilder()
                        .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                        .withInvolvedObject(new ObjectReferenceBuilder()
                                .withApiVersion(object.getApiVersion()).withKind(object.getKind())
                                .withName(object.getMetadata().getName()).withNamespace(object.getMetadata().getNamespace())
                                .withUid(object.getMetadata().getUid()).withResourceVersion(object.getMetadata().getResourceVersion())
                                .build())
                        .withType(note.type()).withReason(note.reason()).withMessage(message)
                        .withNewSource().withComponent(COMPONENT).endSource()
                        .withReportingComponent(COMPONENT).withReportingInstance(INSTANCE)
                        .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                        .build()).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                    throw e;
                }
                events.withName(name).edit(existing -> {
                    existing.setCount(existing.getCount() == null ? 2 : existing.getCount() + 1);
                    existing.setLastTimestamp(now);
                    return existing;
                });
            }
        } catch (KubernetesClientException e) {
            LOG.warnf("could not record event %s %s on %s %s: %s", note.type(), note.reason(), object.getKind(),
                    object.getMetadata().getName(), e.getMessage());
        }
    }

    /** The Event's name: the object's name (shortened to leave room) and a hash of what makes the note the same. */
    static String eventName(HasMetadata object, Note note) {
        String key = object.getMetadata().getUid() + "\n" + note.type() + "\n" + note.reason() + "\n" + note.message();
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            String objectName = object.getMetadata().getName();
            String prefix = objectName.length() > 200 ? objectName.substring(0, 200) : objectName;
            return prefix + "." + HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
