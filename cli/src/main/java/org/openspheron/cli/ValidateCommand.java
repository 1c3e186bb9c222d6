package org.openspheron.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openspheron.manifest.DenominationRates;
import org.openspheron.manifest.DeploymentGroups;
import org.openspheron.manifest.Manifest;
import org.openspheron.manifest.ManifestException;
import org.openspheron.manifest.ManifestParser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code spheron validate FILE...}: checks manifests without touching the chain. */
@Command(name = "validate", description = "Check manifests (Spheron ICL or Akash SDL): one line per file, exit 1 if any "
        + "is invalid. With --json, each file's deployment groups as Akash computes them and its price per hour.")
public class ValidateCommand extends HomeCommand {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Manifest files.")
    List<Path> files;

    @Mixin
    PricingOptions pricing;

    @Override
    public Integer call() {
        Output output = output();
        DenominationRates rates = pricing.rates();
        List<Map<String, Object>> results = new ArrayList<>();
        boolean allValid = true;
        for (Path file : files) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("file", file.toString());
            try {
                Manifest manifest = read(file);
                output.line("ok    " + file + ": " + manifest.summary());
                result.put("valid", true);
                result.put("format", manifest.format().name());
                result.put("services", List.copyOf(manifest.services().keySet()));
                result.put("gpus", manifest.totalGpus());
                result.put("gpuModels", manifest.gpuModels());
                result.put("summary", manifest.summary());
                result.put("manifestHash", manifest.canonicalHash());
                result.put("maxPricePerHour", maxPricePerHour(manifest, rates));
                result.put("groups", GroupsView.of(manifest, rates));
                try {
                    DeploymentGroups.requireOneGroup(manifest);
                    result.put("deployable", true);
                } catch (ManifestException severalGroups) {
                    // Valid SDL, but deploy orders one lease per manifest: say so now, not after a deploy fails.
                    output.line("note  " + file + ": deploy refuses it: " + severalGroups.getMessage());
                    result.put("deployable", false);
                    result.put("deployRefusal", severalGroups.getMessage());
                }
            } catch (ManifestException e) {
                allValid = false;
                output.line("error " + file + ": " + e.getMessage());
                result.put("valid", false);
                result.put("field", e.field());
                result.put("error", e.getMessage());
            }
            results.add(result);
        }
        output.result(results);
        return allValid ? 0 : CliException.FAILED;
    }

    /** What {@code deploy} would order at most per hour without {@code --max-price}, in tokens; null without a rate. */
    private static String maxPricePerHour(Manifest manifest, DenominationRates rates) {
        try {
            return TokenAmount.plain(ManifestOrder.maxPricePerHour(manifest, null, rates, "tokens", line -> { }));
        } catch (CliException noRate) {
            return null;
        }
    }

    /** The file's manifest; unreadable files are reported like invalid ones. */
    static Manifest read(Path file) {
        return ManifestParser.parse(bytes(file));
    }

    static byte[] bytes(Path file) {
        try {
            if (Files.size(file) > ManifestParser.MAX_BYTES) {
                throw ManifestException.ofFile("the manifest is " + Files.size(file) + " bytes, over the limit of "
                        + ManifestParser.MAX_BYTES + " bytes (1 MiB)");
            }
            return Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw ManifestException.ofFile("no such file");
        } catch (IOException e) {
            throw ManifestException.ofFile("cannot read the file: " + e.getMessage());
        }
    }
}
