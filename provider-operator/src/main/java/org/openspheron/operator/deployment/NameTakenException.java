package org.openspheron.operator.deployment;

/** An object the deployment needs already exists and belongs to something else; the operator never takes it over. */
public class NameTakenException extends RuntimeException {
    public NameTakenException(String kind, String namespace, String name) {
        super(kind + " " + namespace + "/" + name + " already exists and is not owned by this GPUDeployment; "
                + "rename the service or remove the other object");
    }
}
