package org.openspheron.manifest;

/** A login for a private image registry; {@code email} may be null. Secret: never log or show it. */
public record RegistryCredentials(String host, String username, String password, String email) {
    @Override
    public String toString() {
        return "RegistryCredentials[host=" + host + ", username=" + username + ", password=***]";
    }
}
