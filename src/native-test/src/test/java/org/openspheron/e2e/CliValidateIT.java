package org.openspheron.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.openspheron.devnet.AppProcess;

/**
 * The native CLI reads every real manifest exactly as the JVM CLI does: {@code spheron validate --json} over the
 * fixtures users deployed (ICL and Akash SDL, valid and invalid) and the examples, once through the native
 * executable and once through the jar, and the two outputs compared whole: validity, errors and their fields,
 * deployment groups, prices and canonical manifest hashes. Parsing, YAML, hashing and the error paths run in the
 * native image here, not only the manifests the deploy flow uses.
 */
class CliValidateIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyFixtureValidatesAlikeNativeAndOnTheJvm() throws Exception {
        Path root = E2eSystem.ROOT;
        Path runner = AppProcess.nativeRunner(root.resolve("cli/target"));
        assumeTrue(runner != null, "no native CLI built (bin/spheron-native build cli): nothing to compare");
        Path jar = root.resolve("cli/target/quarkus-app/quarkus-run.jar");
        List<String> files = new ArrayList<>();
        for (Path dir : List.of(root.resolve("manifest/src/test/resources/fixtures"), root.resolve("examples"))) {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted()
                        .forEach(f -> files.add(root.relativize(f).toString()));
            }
        }
        assertThat(files).hasSizeGreaterThan(30);

        JsonNode natively = validate(root, List.of(runner.toString()), files);
        JsonNode onJvm = validate(root, List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString()), files);

        assertThat(natively).hasSize(files.size());
        for (int i = 0; i < files.size(); i++) {
            assertThat(natively.get(i)).as("native validate of %s", files.get(i)).isEqualTo(onJvm.get(i));
        }
        long valid = 0;
        for (JsonNode result : natively) {
            valid += result.get("valid").asBoolean() ? 1 : 0;
        }
        System.out.printf("cli validate: %d manifests, %d valid, native and JVM outputs identical%n", files.size(), valid);
        assertThat(valid).as("valid fixtures").isPositive().isLessThan(files.size());
    }

    private static JsonNode validate(Path root, List<String> cli, List<String> files) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(cli);
        command.add("validate");
        command.add("--json");
        command.addAll(files);
        Path home = Files.createTempDirectory("cli-validate-home");
        Path out = Files.createTempFile("validate", ".json");
        Path err = Files.createTempFile("validate", ".err");
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().put("SPHERON_HOME", home.toString());
        Process process = builder.start();
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("%s finished", command.get(0)).isTrue();
        // Exit 1: some fixtures are invalid on purpose.
        assertThat(process.exitValue()).as("%s exit code; stderr: %s", command.get(0), Files.readString(err)).isIn(0, 1);
        return JSON.readTree(Files.readString(out));
    }
}
