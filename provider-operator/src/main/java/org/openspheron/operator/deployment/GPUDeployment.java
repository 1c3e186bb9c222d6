package org.openspheron.operator.deployment;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The workload of one lease (in the lease's namespace), or one a provider applies by hand to try the cluster.
 * Secrets never appear here: services name a Secret whose keys become environment variables.
 */
@Group("openspheron.org")
@Version("v1alpha1")
@ShortNames({"gd", "gpudep"})
// The CRD generator writes printer columns sorted by JSON path, whatever the order here: kubectl shows them so.
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Model", jsonPath = ".status.gpuModel", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "GPUs", jsonPath = ".status.gpus", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.readyReplicas", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "URL", jsonPath = ".status.url", type = AdditionalPrinterColumn.Type.STRING)
public class GPUDeployment extends CustomResource<GPUDeploymentSpec, GPUDeploymentStatus> implements Namespaced {
}
