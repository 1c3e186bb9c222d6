package org.openspheron.manifest;

import java.util.List;

/** Akash's {@code http_options} for the ingress; zero or empty means the provider's default. */
public record HttpOptions(
        long maxBodySize,
        long readTimeoutMillis,
        long sendTimeoutMillis,
        int nextTries,
        long nextTimeoutMillis,
        List<String> nextCases) {

    public HttpOptions {
        nextCases = List.copyOf(nextCases);
    }
}
