package org.openspheron.operator.crd;

/**
 * The labels the operator puts on everything it creates. Informers select on {@link #MANAGED_BY} so the operator
 * never caches the rest of the cluster, and the other labels map an object back to the resource that owns it.
 */
public final class ObjectLabels {
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String OPERATOR = "spheron-provider-operator";
    public static final String MANAGED_SELECTOR = MANAGED_BY + "=" + OPERATOR;
    /**
     * The field manager of the operator's server-side applies (owned objects and status), as
     * {@code kubectl get -o yaml --show-managed-fields} shows it.
     */
    public static final String FIELD_MANAGER = OPERATOR;

    public static final String LEASE_ID = "openspheron.org/lease-id";
    public static final String TENANT = "openspheron.org/tenant";
    public static final String DEPLOYMENT = "openspheron.org/gpudeployment";
    public static final String SERVICE = "openspheron.org/service";

    public static final String GPU_RESOURCE = "nvidia.com/gpu";
    public static final String GPU_PRODUCT_LABEL = "nvidia.com/gpu.product";

    private ObjectLabels() {
    }
}
