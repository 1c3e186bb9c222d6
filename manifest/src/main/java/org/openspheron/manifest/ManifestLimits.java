package org.openspheron.manifest;

/**
 * What a manifest is held to so that the Kubernetes objects a provider makes of it are accepted by the API server.
 * The provider operator's GPUDeployment CRD is generated from the same constants, so the parser (and with it the
 * gateway) refuses, with the field named, exactly what the API server would refuse later.
 */
public final class ManifestLimits {
    /** Replicas of one service over all its placements; the GPUDeployment CRD's maximum too. */
    public static final int MAX_REPLICAS = 100;

    /** GPUs one replica may ask for. */
    public static final int MAX_GPUS_PER_REPLICA = 16;

    /**
     * The longest service name. A service becomes a Service of its own name (a DNS-1035 label: at most 63
     * characters, starting with a letter), a {@code <name>-ext} Service, and, with persistent storage, a StatefulSet
     * whose pods are labelled {@code controller-revision-hash: <name>-<hash>}, the hash up to 10 characters and a
     * label value at most 63: 63 - 1 - 10 = 52.
     */
    public static final int MAX_SERVICE_NAME = 52;

    /** A service name: a DNS-1035 label of at most {@link #MAX_SERVICE_NAME} characters. */
    public static final String SERVICE_NAME_PATTERN = "^[a-z]([-a-z0-9]{0," + (MAX_SERVICE_NAME - 2) + "}[a-z0-9])?$";

    /**
     * Ports one manifest may expose globally, over all its services. Each is a node port of the provider's cluster
     * (a range of some 2,700 shared by every tenant), and the lease's quota ({@code services.nodeports}) holds it to
     * the same number, so one lease cannot take the range from the others.
     */
    public static final int MAX_GLOBAL_PORTS = 32;

    /**
     * Leased IP endpoints one manifest may declare: an order carries its count of leased IPs in 8 bits of its
     * features (the chain module's {@code OrderFeatures.MAX_LEASED_IPS}).
     */
    public static final int MAX_IP_ENDPOINTS = 255;

    /** A storage volume name (a volume claim template and a volume mount): a DNS-1123 label. */
    public static final String VOLUME_NAME_PATTERN = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";

    private ManifestLimits() {
    }
}
