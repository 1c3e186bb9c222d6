package org.openspheron.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.Generate.pick;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The parser's law: whatever bytes it is given, the only thing that escapes is a {@link ManifestException} with a
 * one-line message. Inputs are real fixtures mutated the ways files really break: flipped bytes, truncation, lost or
 * doubled lines, renamed keys, changed numbers, YAML syntax dropped in. A counterexample's seed reproduces it: a
 * failure ends with "Seed was N", and {@code -DQT_SEED=N} replays the same inputs.
 */
class MutatedManifestsTest {
    private static final List<String> NAMES = Fixtures.names();
    private static final String[] SYNTAX = {"&a ", "*a", "[", "]", "{", "}", "!!str ", "!x ", "<<: *a\n", "---\n", "\t",
            ": ", "- ", "\"", "'", "|\n", ">-\n", "#", "%YAML 1.1\n", "? ", "\u0000", "\uFEFF", "~", ".inf", "0x1F", "1e999999999"};
    private static final String[] NUMBERS = {"0", "-1", "70000", "0.0001", "1e3", "99999999999999999999999", "-0", ".nan",
            "1.5", "1025", "17", "4097Gi", "0x10", "0o7", "+5", "1_000"};

    /** Shrinking a failure re-parses at most this many smaller inputs (about a millisecond each). */
    private static final int SHRINK_CYCLES = 2000;

    @Test
    void mutatedFixturesOnlyEverFailWithAManifestException() {
        qt().withExamples(1500).withShrinkCycles(SHRINK_CYCLES)
                .forAll(pick(NAMES), integers().between(1, 6), longs().all())
                .checkAssert((name, mutations, seed) -> {
                    byte[] yaml = mutate(Fixtures.bytes(name), mutations, new Random(seed));
                    parseExpectingOnlyManifestErrors(yaml);
                });
    }

    @Test
    void arbitraryTextOnlyEverFailsWithAManifestException() {
        qt().withExamples(300).withShrinkCycles(SHRINK_CYCLES)
                .forAll(yamlish())
                .checkAssert(text -> parseExpectingOnlyManifestErrors(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static Gen<String> yamlish() {
        List<Character> chars = "abc: -[]{}&*!#'\"\n\t|>0123456789.~%?<=,".chars().mapToObj(c -> (char) c).toList();
        return lists().of(pick(chars)).ofType(lists().arrayList()).ofSizeBetween(0, 300)
                .map(text -> text.stream().map(String::valueOf).collect(Collectors.joining()));
    }

    private static void parseExpectingOnlyManifestErrors(byte[] yaml) {
        try {
            Manifest m = ManifestParser.parse(yaml);
            assertThat(m.canonicalHash()).matches("0x[0-9a-f]{64}");
            m.resources();
            m.summary();
            m.maxPricePerHour();
            DeploymentGroups.of(m);
            BlockPricing.denominationsWithoutRate(m, DenominationRates.withoutAktPrice());
        } catch (ManifestException e) {
            assertThat(e.getMessage()).isNotBlank().doesNotContain("\n").doesNotContain("Exception");
            assertThat(e.getMessage()).startsWith(e.field().isEmpty() ? "" : e.field() + ": ");
        }
    }

    static byte[] mutate(byte[] original, int mutations, Random random) {
        byte[] bytes = original;
        for (int i = 0; i < mutations; i++) {
            bytes = switch (random.nextInt(8)) {
                case 0 -> flipByte(bytes, random);
                case 1 -> Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
                case 2 -> lines(bytes, random, (lines, at) -> lines.remove(at));
                case 3 -> lines(bytes, random, (lines, at) -> lines.add(at, lines.get(at)));
                case 4 -> lines(bytes, random, (lines, at) -> lines.set(at, renameKey(lines.get(at), random)));
                case 5 -> lines(bytes, random, (lines, at) -> lines.set(at, changeNumber(lines.get(at), random)));
                case 6 -> insert(bytes, random, SYNTAX[random.nextInt(SYNTAX.length)]);
                default -> lines(bytes, random, (lines, at) -> lines.set(at, reindent(lines.get(at), random)));
            };
        }
        return bytes;
    }

    private static byte[] flipByte(byte[] bytes, Random random) {
        if (bytes.length == 0) {
            return bytes;
        }
        byte[] out = bytes.clone();
        out[random.nextInt(out.length)] = (byte) random.nextInt(256);
        return out;
    }

    private static byte[] insert(byte[] bytes, Random random, String text) {
        String s = new String(bytes, StandardCharsets.UTF_8);
        int at = random.nextInt(s.length() + 1);
        return (s.substring(0, at) + text + s.substring(at)).getBytes(StandardCharsets.UTF_8);
    }

    interface LineEdit {
        void apply(List<String> lines, int at);
    }

    private static byte[] lines(byte[] bytes, Random random, LineEdit edit) {
        List<String> lines = new ArrayList<>(Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\n", -1)));
        if (lines.isEmpty()) {
            return bytes;
        }
        edit.apply(lines, random.nextInt(lines.size()));
        return String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
    }

    private static String renameKey(String line, Random random) {
        int colon = line.indexOf(':');
        if (colon <= 0) {
            return line;
        }
        String[] keys = {"services", "profiles", "compute", "gpu", "units", "port", "x", "", "image", "deployment", "count"};
        String indent = line.substring(0, line.length() - line.stripLeading().length());
        return indent + keys[random.nextInt(keys.length)] + line.substring(colon);
    }

    private static String changeNumber(String line, Random random) {
        return line.replaceFirst("[0-9]+(\\.[0-9]+)?", NUMBERS[random.nextInt(NUMBERS.length)]);
    }

    private static String reindent(String line, Random random) {
        return " ".repeat(random.nextInt(6)) + line.stripLeading();
    }
}
