package org.openspheron.operator.deployment;

import java.util.Optional;

/**
 * How a manifest's {@code accept} hosts reach the cluster: the Ingresses made for them ({@link WorkloadObjects}).
 *
 * @param className the IngressClass; empty leaves {@code ingressClassName} out, so the cluster's default class
 *     (the one annotated {@code ingressclass.kubernetes.io/is-default-class}) serves them
 * @param clusterIssuer a cert-manager ClusterIssuer; when set, every host gets a TLS entry and cert-manager's
 *     annotation, so cert-manager obtains the certificate into the Secret named there. Empty: plain HTTP, since a
 *     TLS entry without an issuer would name a Secret nobody fills
 */
public record IngressSettings(Optional<String> className, Optional<String> clusterIssuer) {
    /** The annotation cert-manager's ingress-shim reads to issue a certificate for an Ingress's TLS hosts. */
    public static final String CLUSTER_ISSUER_ANNOTATION = "cert-manager.io/cluster-issuer";
    public static final IngressSettings DEFAULT = new IngressSettings(Optional.empty(), Optional.empty());
}
