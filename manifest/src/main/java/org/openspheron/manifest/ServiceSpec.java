package org.openspheron.manifest;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One container service of a manifest.
 *
 * @param env environment variables in the order written; values may be empty, never null
 * @param credentials the private registry login, or null for a public image
 * @param pullPolicy {@code Always}, {@code IfNotPresent} or {@code Never}; null when not given
 * @param dependencies names of the services this one depends on
 * @param storage the profile's volumes this service mounts, by volume name ({@code params.storage})
 * @param tee the trusted execution environment it asks for ({@code params.tee}, SDL 2.1), or null
 */
public record ServiceSpec(
        String name,
        String image,
        List<String> command,
        List<String> args,
        Map<String, String> env,
        RegistryCredentials credentials,
        String pullPolicy,
        List<Expose> expose,
        List<String> dependencies,
        Map<String, StorageMount> storage,
        TeeParams tee) {

    /** A service that asks for no trusted execution environment. */
    public ServiceSpec(String name, String image, List<String> command, List<String> args, Map<String, String> env,
                       RegistryCredentials credentials, String pullPolicy, List<Expose> expose, List<String> dependencies,
                       Map<String, StorageMount> storage) {
        this(name, image, command, args, env, credentials, pullPolicy, expose, dependencies, storage, null);
    }

    public ServiceSpec {
        command = List.copyOf(command);
        args = List.copyOf(args);
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
        expose = List.copyOf(expose);
        dependencies = List.copyOf(dependencies);
        storage = Collections.unmodifiableMap(new LinkedHashMap<>(storage));
    }

    public Optional<TeeParams> teeParams() {
        return Optional.ofNullable(tee);
    }

    public Optional<RegistryCredentials> registryCredentials() {
        return Optional.ofNullable(credentials);
    }

    /** Whether any port is exposed to the internet (not only to other services of the deployment). */
    public boolean isPublic() {
        return expose.stream().anyMatch(Expose::global);
    }
}
