package org.openspheron.manifest;

/** {@code deployment.<service>.<placement>}: run {@code count} replicas of a service with a compute profile. */
public record DeploymentEntry(String service, String placement, String profile, int count) {
}
