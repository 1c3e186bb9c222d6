package org.openspheron.charts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which chart ships each file of {@code crds/}: the one whose {@link ChartSource#crds()} names its CRD, and only that
 * one. Helm creates a chart's CRDs when they are missing and skips them when present, so a CRD in two charts would
 * take its schema from whichever was installed first; with one owner, that chart's version decides it.
 *
 * <p>A CRD no chart names, one two charts name, and a name no file defines are refused rather than guessed, so a CRD
 * added to crds/ is given an owner before it ships.
 */
final class CrdOwners {
    private static final YAMLMapper YAML = new YAMLMapper();

    private CrdOwners() {
    }

    /** Each CRD file of {@code crdDir} (sorted by name) with the one chart of {@code charts} that ships it. */
    static Map<Path, ChartSource> of(Path crdDir, List<ChartSource> charts) throws IOException {
        Map<String, ChartSource> ownerByName = new LinkedHashMap<>();
        for (ChartSource chart : charts) {
            for (String crd : chart.crds()) {
                ChartSource other = ownerByName.putIfAbsent(crd, chart);
                if (other != null && other != chart) {
                    throw new ChartGenerationException("CRD " + crd + " is named by charts " + other.name() + " and "
                            + chart.name() + "; one chart must own it (Helm lets the chart installed first decide its "
                            + "schema): name it in one ChartSource only");
                }
            }
        }
        Map<Path, ChartSource> owners = new LinkedHashMap<>();
        List<String> defined = new ArrayList<>();
        for (Path file : ChartGenerator.yamlFiles(crdDir)) {
            String crd = crdName(file);
            ChartSource owner = ownerByName.get(crd);
            if (owner == null) {
                throw new ChartGenerationException("crds/" + file.getFileName() + ": CRD " + crd + " is shipped by no "
                        + "chart; name it in the crds of the ChartSource whose app uses it");
            }
            if (defined.contains(crd)) {
                throw new ChartGenerationException("crds/" + file.getFileName() + ": CRD " + crd + " is defined by "
                        + "another file in crds/ too; keep one");
            }
            owners.put(file, owner);
            defined.add(crd);
        }
        for (Map.Entry<String, ChartSource> declared : ownerByName.entrySet()) {
            if (!defined.contains(declared.getKey())) {
                throw new ChartGenerationException("chart " + declared.getValue().name() + " ships CRD "
                        + declared.getKey() + ", which no file in crds/ defines; update its ChartSource to crds/");
            }
        }
        return owners;
    }

    /** The metadata.name of the one CRD a file holds (the CRD generator writes one per file). */
    static String crdName(Path file) throws IOException {
        List<JsonNode> crds = new ArrayList<>();
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                if (document != null && document.isObject()) {
                    crds.add(document);
                }
            }
        }
        if (crds.size() != 1 || !crds.get(0).path("kind").asText().equals("CustomResourceDefinition")
                || crds.get(0).at("/metadata/name").asText().isEmpty()) {
            throw new ChartGenerationException("crds/" + file.getFileName() + ": expected one named "
                    + "CustomResourceDefinition, found " + crds.size() + " document(s)"
                    + (crds.isEmpty() ? "" : " starting with kind " + crds.get(0).path("kind").asText("(none)")));
        }
        return crds.get(0).at("/metadata/name").asText();
    }
}
