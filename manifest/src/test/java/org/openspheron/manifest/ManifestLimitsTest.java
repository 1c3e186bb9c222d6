package org.openspheron.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.manifest.ManifestParserTest.WEB;
import static org.openspheron.manifest.ManifestParserTest.refused;

import org.junit.jupiter.api.Test;

/**
 * The limits that keep a manifest within what Kubernetes accepts ({@link ManifestLimits}): each boundary passes, one
 * past it is refused with the field named. The provider operator's tests run the boundary values on a real API
 * server (ManifestLimitsOnKubernetesTest).
 */
class ManifestLimitsTest {
    private static final String LONGEST_NAME = "s" + "a".repeat(ManifestLimits.MAX_SERVICE_NAME - 2) + "1";

    private static String renamed(String name) {
        return WEB.replace("services:\n  web:", "services:\n  " + name + ":")
                .replace("    pricing:\n        web:", "    pricing:\n        " + name + ":")
                .replace("deployment:\n  web:", "deployment:\n  " + name + ":");
    }

    @Test
    void aServiceNameOf52CharactersIsAcceptedAnd53AreRefused() {
        assertThat(LONGEST_NAME).hasSize(52);
        assertThat(ManifestParser.parse(renamed(LONGEST_NAME)).services()).containsKey(LONGEST_NAME);

        String tooLong = LONGEST_NAME + "x";
        refused(renamed(tooLong), "services." + tooLong, "\"" + tooLong + "\" is not a valid service name (lower-case letters, "
                + "digits and '-', at most 52, starting with a letter and ending with a letter or digit, so that the "
                + "Kubernetes names made from it stay within 63)");
    }

    @Test
    void aServiceNameStartingWithADigitIsRefusedBecauseAServiceCannotHaveIt() {
        refused(renamed("1web"), "services.1web", "\"1web\" is not a valid service name (lower-case letters, digits and '-', "
                + "at most 52, starting with a letter and ending with a letter or digit, so that the Kubernetes names made "
                + "from it stay within 63)");
    }

    @Test
    void aHundredReplicasAreAcceptedAndMoreAreRefusedEvenWhenSpreadOverPlacements() {
        assertThat(ManifestParser.parse(WEB.replace("count: 2", "count: 100")).replicas("web")).isEqualTo(100);

        refused(WEB.replace("count: 2", "count: 101"), "deployment.web.east.count", "101 is not a replica count (1..100)");
        String twoPlacements = WEB
                .replace("  placement:\n    east:", "  placement:\n    west:\n      pricing:\n        web:\n          amount: 1\n    east:")
                .replace("      count: 2", "      count: 60\n    west:\n      profile: web\n      count: 41");
        refused(twoPlacements, "deployment.web", "101 replicas over all placements; a service may have at most 100");
    }

    @Test
    void aPortExposedTwiceIsRefused() {
        String twice = WEB.replace("""
                      - port: 80
                        as: 80
                        to:
                          - global: true
                """, """
                      - port: 80
                        as: 80
                        to:
                          - global: true
                      - port: 80
                        as: 8080
                """);
        refused(twice, "services.web.expose[1].port", "80/TCP is exposed twice");

        String sameServicePort = twice.replace("      - port: 80\n        as: 8080", "      - port: 81\n        as: 80");
        refused(sameServicePort, "services.web.expose[1].as", "80/TCP is already the service port of another expose entry");
        String tcpAndUdp = twice.replace("      - port: 80\n        as: 8080\n", "      - port: 80\n        proto: udp\n");
        assertThat(ManifestParser.parse(tcpAndUdp).service("web").expose()).hasSize(2);
    }

    @Test
    void aVolumeNameThatCannotNameAVolumeIsRefused() {
        refused(WEB.replace("- size: 10Gi", "- name: Model_Cache\n            size: 10Gi"),
                "profiles.compute.web.resources.storage[0].name", "\"Model_Cache\" is not a valid volume name (lower-case "
                        + "letters, digits and '-', at most 63, starting and ending with a letter or digit)");
    }
}
