package org.openspheron.cli;

/** A small valid ICL manifest for tests that need one in memory. */
final class ManifestParserFixture {
    static final String WEB = """
            version: "1.0"
            services:
              web:
                image: nginx:1.27
                expose:
                  - port: 80
                    as: 80
                    to:
                      - global: true
            profiles:
              duration: 1h
              compute:
                web:
                  resources:
                    cpu:
                      units: 1
                    memory:
                      size: 1Gi
                    storage:
                      size: 1Gi
              placement:
                any:
                  pricing:
                    web:
                      token: uSPON
                      amount: 1
            deployment:
              web:
                any:
                  profile: web
                  count: 2
            """;

    private ManifestParserFixture() {
    }
}
