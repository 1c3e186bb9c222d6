package org.openspheron.matchmaker.policy;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * How this matchmaker operator weighs bids, when it runs on Kubernetes: fields set here override the
 * {@code spheron.matchmaker.scoring.*} properties, unset ones keep them. The matchmaker follows one policy (by
 * name, in its own namespace), applies it to decisions it makes from then on, and reports in the status whether it
 * took it and the fingerprint of the policy it ranks with, which peers must share to pick the same bids.
 */
@Group("openspheron.org")
@Version("v1alpha1")
@ShortNames({"mpol", "matchpol"})
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Reason", jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Fingerprint", jsonPath = ".status.fingerprint", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class MatchingPolicy extends CustomResource<MatchingPolicySpec, MatchingPolicyStatus> implements Namespaced {
}
