package org.openspheron.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The manifest hash survives reformatting and changes with any value. */
class CanonicalHashTest {
    private static final String WEB = ManifestParserTest.WEB;

    /** The same manifest as {@link ManifestParserTest#WEB}: keys reordered, flow style, other quoting, comments, an anchor. */
    private static final String WEB_RESTYLED = """
            # the same deployment, written differently
            deployment: {web: {east: {count: 2, profile: "web"}}}
            profiles:
              placement:
                east:
                  pricing: {web: {amount: 2.50, token: 'uSPON'}}
                  attributes: {region: "us-east;us-west"}
              mode: 'provider'
              duration: "1h"
              name: &name web
              compute:
                *name :
                  resources:
                    storage: [{size: 10Gi}]
                    gpu: {attributes: {vendor: {nvidia: [{model: h100}]}}, units: 0x1}
                    memory: {size: "4Gi"}   # quoted, still a string
                    cpu: {units: 2.0}
            services:
              web:
                env: ["GREETING=hello=world"]
                expose:
                - {as: 80, port: 80, to: [{global: true}]}
                image: >-
                  nginx:1.27
            version: '1.0'
            """;

    @Test
    void theHashIgnoresKeyOrderWhitespaceCommentsQuotingFlowStyleAndAnchors() {
        Manifest plain = ManifestParser.parse(WEB);
        Manifest restyled = ManifestParser.parse(WEB_RESTYLED);
        assertThat(restyled.canonicalJson()).isEqualTo(plain.canonicalJson());
        assertThat(restyled.canonicalHash()).isEqualTo(plain.canonicalHash());
    }

    @Test
    void theCanonicalFormIsSortedCompactJsonWithNumbersByValue() {
        Manifest m = ManifestParser.parse(WEB);
        assertThat(m.canonicalJson())
                .startsWith("{\"deployment\":{\"web\":{\"east\":{\"count\":2,\"profile\":\"web\"}}},\"profiles\":{")
                .contains("\"pricing\":{\"web\":{\"amount\":2.5,\"token\":\"uSPON\"}}")
                .endsWith("\"version\":\"1.0\"}")
                .doesNotContain(" \n");
        // Pinned: the hash is stored on chain, so its definition must never drift between releases.
        assertThat(m.canonicalHash()).isEqualTo(CanonicalJson.sha256(m.canonicalJson()));
        assertThat(CanonicalJson.sha256("{\"a\":1}"))
                .isEqualTo("0x015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862");
    }

    @Test
    void changingAnyValueChangesTheHash() {
        String baseline = ManifestParser.parse(WEB).canonicalHash();
        List<String> variants = valueChanges(WEB);
        assertThat(variants).hasSizeGreaterThan(15);
        for (String variant : variants) {
            try {
                assertThat(ManifestParser.parse(variant).canonicalHash()).as(variant).isNotEqualTo(baseline);
            } catch (ManifestException refused) {
                // a change the parser refuses cannot be deployed under the old hash either
            }
        }
    }

    @Test
    void everyFixturesHashChangesWhenOneOfItsValuesChanges() {
        for (String name : Fixtures.names()) {
            String text = Fixtures.text(name);
            Manifest original;
            try {
                original = ManifestParser.parse(text);
            } catch (ManifestException refused) {
                continue;
            }
            for (String variant : valueChanges(text)) {
                try {
                    assertThat(ManifestParser.parse(variant).canonicalHash()).as(name + " changed to\n" + variant)
                            .isNotEqualTo(original.canonicalHash());
                } catch (ManifestException refused) {
                    // refused: no hash to collide
                }
            }
        }
    }

    @Test
    void quotingANumberMakesItAStringAndSoADifferentManifest() {
        String quoted = WEB.replace("count: 2", "count: \"2\"");
        assertThat(ManifestParser.parse(quoted).canonicalHash()).isNotEqualTo(ManifestParser.parse(WEB).canonicalHash());
        assertThat(ManifestParser.parse(quoted).deployments().get(0).count()).isEqualTo(2);
    }

    /** One variant per {@code key: value} line, with that value changed (numbers incremented, text extended). */
    static List<String> valueChanges(String yaml) {
        Pattern value = Pattern.compile("(?m)^(\\s*(?:- )?[\\w.-]+: )([^\\s#&*|>{\\[][^#\\n]*?)\\s*$");
        Matcher m = value.matcher(yaml);
        List<String> variants = new ArrayList<>();
        while (m.find()) {
            String v = m.group(2);
            String changed;
            if (v.matches("[0-9]+")) {
                changed = Long.toString(Long.parseLong(v) + 1);
            } else if (v.equals("true") || v.equals("false")) {
                changed = v.equals("true") ? "false" : "true";
            } else if (v.startsWith("\"") || v.startsWith("'")) {
                changed = v.charAt(0) + "x" + v.substring(1);
            } else {
                changed = v + "x";
            }
            variants.add(yaml.substring(0, m.start(2)) + changed + yaml.substring(m.end(2)));
        }
        Matcher item = Pattern.compile("(?m)^(\\s*- )([A-Za-z_][^:#\\n]*)$").matcher(yaml);
        while (item.find()) {
            variants.add(yaml.substring(0, item.end(2)) + "x" + yaml.substring(item.end(2)));
        }
        return variants;
    }
}
