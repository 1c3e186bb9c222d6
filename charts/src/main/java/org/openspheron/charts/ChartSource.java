package org.openspheron.charts;

import java.util.List;

/**
 * A chart and the plain manifests it is made from: every YAML file in {@code k8s/<appDirectory>/} becomes a template,
 * so a file added there reaches the chart with no change here; of {@code crds/}, the chart ships the CRDs named in
 * {@link #crds} (by metadata.name), those of the resources its app works on. Each CRD has exactly one owning chart
 * (see {@link CrdOwners}). Only {@link #places} and the namespace are templated.
 *
 * <p>Only the provider operator's replica count is a value: its replicas elect a leader, which alone uses the key.
 * The matchmaker's is not: it holds one key's nonce, and two copies would race on it (see the comments in the
 * Deployments).
 */
public record ChartSource(String name, String appDirectory, String namespace, String description,
        List<String> crds, List<ValuePlace> places, String notes) {

    private static final String CONTAINERS = "spec.template.spec.containers[]";

    public static final ChartSource PROVIDER_OPERATOR = new ChartSource("spheron-provider-operator", "provider-operator",
            "spheron-system",
            "Open Spheron provider operator: bids GPU capacity on chain, reconciles SpheronLease and GPUDeployment "
                    + "resources into workloads, and serves the manifest gateway over mutual TLS.",
            List.of("spheronleases.openspheron.org", "gpudeployments.openspheron.org"),
            List.of(
                    ValuePlace.image("Deployment", CONTAINERS + ".image", "The operator's image; the tag defaults to "
                            + "the chart's appVersion."),
                    ValuePlace.scalar("Deployment", CONTAINERS + ".imagePullPolicy", "image.pullPolicy", null),
                    ValuePlace.scalar("Deployment", "spec.replicas", "replicaCount", "Replicas of the operator. The "
                            + "one holding the Lease spheron-provider-operator bids, confirms and reconciles; all serve "
                            + "the gateway. 2 keeps a standby that takes over within the Lease's 15 s; 1 is safe too."),
                    ValuePlace.stringMap("ConfigMap", "data", "config", "The operator's settings, as environment "
                            + "variables: chain RPC URL, the protocol's contract addresses, region and zone, the gateway's "
                            + "public URL, stake and prices. Set them for your network; values are passed as strings. "
                            + "Optional ones may be added, e.g. SPHERON_OPERATOR_RUNTIME_CLASS: \"nvidia\" for the "
                            + "RuntimeClass GPU pods run under (README, provider settings)."),
                    ValuePlace.scalar("Deployment", CONTAINERS + ".env[].valueFrom.secretKeyRef.name", "keySecret.name",
                            "The Secret (in the release namespace) holding the provider's private key under the key "
                                    + "\"key\". Create it before installing; the chart never holds the key."),
                    ValuePlace.block("Deployment", CONTAINERS + ".resources", "resources", "The operator container's "
                            + "requests and limits."),
                    ValuePlace.scalar("Service", "spec.type", "gatewayService.type", "How users reach the manifest "
                            + "gateway (mutual TLS, port 8443): LoadBalancer, or NodePort behind your own balancer.")),
            """
                    The provider operator reads its key from the Secret {{ .Values.keySecret.name }} (key "key") in {{ .Release.Namespace }}:
                      kubectl -n {{ .Release.Namespace }} create secret generic {{ .Values.keySecret.name }} --from-file=key=provider.key   # hex private key
                    Check it with:
                      kubectl -n {{ .Release.Namespace }} get deployment,service -l app.kubernetes.io/name=spheron-provider-operator
                    """);

    public static final ChartSource MATCHMAKER = new ChartSource("spheron-matchmaker", "matchmaker", "spheron-matchmaker",
            "Open Spheron matchmaker: scores bids and, with a quorum of peer operators, signs and submits order matches.",
            List.of("matchingpolicies.openspheron.org"),
            List.of(
                    ValuePlace.image("Deployment", CONTAINERS + ".image", "The matchmaker's image; the tag defaults to "
                            + "the chart's appVersion."),
                    ValuePlace.scalar("Deployment", CONTAINERS + ".imagePullPolicy", "image.pullPolicy", null),
                    ValuePlace.stringMap("ConfigMap", "data", "config", "The matchmaker's settings, as environment "
                            + "variables: chain RPC URL, the protocol's contract addresses and the peers' URLs. Values "
                            + "are passed as strings."),
                    ValuePlace.scalar("Deployment", CONTAINERS + ".env[].valueFrom.secretKeyRef.name", "keySecret.name",
                            "The Secret (in the release namespace) holding the operator key under the key \"key\". "
                                    + "Create it before installing; the chart never holds the key."),
                    ValuePlace.scalar("Deployment", "spec.template.spec.volumes[].secret.secretName", "jwtSecret.name",
                            "The Secret with this operator's JWT signing key (operator-jwt.pem) and the peers' JWKS "
                                    + "(peers-jwks.json)."),
                    ValuePlace.block("Deployment", CONTAINERS + ".resources", "resources", "The matchmaker container's "
                            + "requests and limits.")),
            """
                    The matchmaker reads its operator key from the Secret {{ .Values.keySecret.name }} (key "key") and its peer JWT keys from
                    the Secret {{ .Values.jwtSecret.name }} (operator-jwt.pem, peers-jwks.json) in {{ .Release.Namespace }}:
                      kubectl -n {{ .Release.Namespace }} create secret generic {{ .Values.keySecret.name }} --from-file=key=operator.key   # hex private key
                      kubectl -n {{ .Release.Namespace }} create secret generic {{ .Values.jwtSecret.name }} --from-file=operator-jwt.pem --from-file=peers-jwks.json
                    """);

    public static final List<ChartSource> ALL = List.of(PROVIDER_OPERATOR, MATCHMAKER);
}
