package org.openspheron.operator.deployment;

/**
 * A host the deployment's Ingress would name is already named by an Ingress of another namespace: the first lease to
 * route a host keeps it, and no later one takes its traffic over.
 */
public class HostTakenException extends RuntimeException {
    public HostTakenException(String host) {
        super("host " + host + " is already served on this provider; remove it from the manifest");
    }
}
