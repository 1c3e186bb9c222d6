package org.openspheron.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code validate --json} reports each SDL's deployment groups and price per hour exactly as the golden files under
 * {@code src/test/resources/groups} say, which were worked out by hand from the SDL specification (see the README
 * there).
 */
class ValidateGroupsGoldenTest {

    static Path dir() {
        try {
            return Path.of(ValidateGroupsGoldenTest.class.getResource("/groups").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> names() {
        try (Stream<Path> files = Files.list(dir())) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
                    .map(n -> n.substring(0, n.length() - ".yaml".length())).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void everyGoldenSdlHasItsExpectedJsonAndBothVersionsAreCovered() {
        assertThat(names()).hasSizeGreaterThanOrEqualTo(4).allSatisfy(n -> assertThat(dir().resolve(n + ".json")).exists());
        assertThat(names()).anyMatch(n -> n.endsWith("-2.0")).anyMatch(n -> n.endsWith("-2.1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void groupsAndPricePerHourAreAsTheSpecificationSays(String name) throws Exception {
        Cli.Result r = Cli.run("validate", "--json", "--akt-price", "0.95", dir().resolve(name + ".yaml").toString());
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        JsonNode actual = Output.JSON.readTree(r.out()).get(0);
        JsonNode expected = Output.JSON.readTree(dir().resolve(name + ".json").toFile());
        assertThat(actual.get("maxPricePerHour")).isEqualTo(expected.get("maxPricePerHour"));
        assertThat(Output.JSON.writeValueAsString(actual.get("groups")))
                .isEqualTo(Output.JSON.writeValueAsString(expected.get("groups")));
    }
}
