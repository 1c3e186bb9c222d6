package org.openspheron.devnet;

/**
 * How an app reaches a Kubernetes API server: its URL, the cluster CA (base64 of PEM, as kubeconfigs carry it) and
 * a bearer token (a ServiceAccount's, so RBAC applies as it does to the app's pod in a cluster).
 */
public record ClusterAccess(String apiServerUrl, String caCertData, String token) {
    @Override
    public String toString() {
        return "ClusterAccess[" + apiServerUrl + ", token hidden]";
    }
}
