package org.openspheron.manifest;

/** A volume of the service's compute profile mounted into the container ({@code params.storage.<volume>}). */
public record StorageMount(String volume, String mount, boolean readOnly) {
}
