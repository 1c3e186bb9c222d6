package org.openspheron.chain.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Hash;

/**
 * contracts/STORAGE.md documents each contract's events (with their topic0) and storage layout for the indexers
 * that providers and matchmakers run. It is generated from what the compiler wrote (ABI and storage layout in
 * contracts/target/solc), checked in, and this test fails when the contracts changed and the file did not.
 */
class StorageDocTest {
    static final Path SOLC = Path.of("..", "contracts", "target", "solc");
    static final Path DOC = Path.of("..", "contracts", "STORAGE.md");
    static final String REFRESH = "mvn -B -ntp -pl contracts,chain test -Dtest=StorageDocTest "
            + "-Dsurefire.failIfNoSpecifiedTests=false -Dspheron.contracts.refresh=true";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theCheckedInStorageDocMatchesTheCompiledContracts() throws IOException {
        String generated = render();
        if (Boolean.getBoolean("spheron.contracts.refresh")) {
            Files.writeString(DOC, generated, StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(DOC, StandardCharsets.UTF_8))
                .as("contracts/STORAGE.md differs from what the compiled contracts give; refresh with: %s", REFRESH)
                .isEqualTo(generated);
    }

    @Test
    void everyEventOfTheOrderContractIsDocumentedWithItsTopic() throws IOException {
        String doc = render();
        assertThat(doc).contains("| `ORDER_CREATED(uint256,address,uint32,string,string,uint256,uint64,uint256)` | `"
                + Hash.sha3String("ORDER_CREATED(uint256,address,uint32,string,string,uint256,uint64,uint256)") + "` |");
        assertThat(doc).contains("| `CREATE_LEASE(");
        assertThat(doc).contains("servedSeconds");
    }

    static String render() throws IOException {
        List<String> contracts;
        try (Stream<Path> files = Files.list(SOLC)) {
            contracts = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".layout.json"))
                    .map(n -> n.substring(0, n.length() - ".layout.json".length())).sorted().toList();
        }
        StringBuilder out = new StringBuilder();
        out.append("# Contract events and storage\n\n")
                .append("Generated from the compiler's ABI and storage layout by `StorageDocTest`; do not edit. After a\n")
                .append("contract change, refresh with `").append(REFRESH).append("`.\n\n")
                .append("Indexers should follow the events below, which announce the protocol's state changes; what an\n")
                .append("event does not carry (an order's full spec, a provider's record) is read with the contract's view\n")
                .append("functions at the event's block. `topic0` is the keccak-256 of the signature; indexed parameters are\n")
                .append("topics, the others are ABI-encoded in the log's data. The storage layout is for `eth_getStorageAt`\n")
                .append("and proofs; it changes with the contracts (no proxy keeps it across versions), so read it for the\n")
                .append("deployment you index. Slots of mappings and dynamic arrays are keccak-256 derived as Solidity\n")
                .append("documents; a struct member's slot is the struct's slot plus the member's.\n");
        for (String contract : contracts) {
            out.append("\n## ").append(contract).append("\n");
            events(contract, out);
            storage(contract, out);
        }
        return out.toString();
    }

    private static void events(String contract, StringBuilder out) throws IOException {
        List<JsonNode> events = new ArrayList<>();
        JSON.readTree(SOLC.resolve(contract + ".abi").toFile()).forEach(item -> {
            if ("event".equals(item.path("type").asText())) {
                events.add(item);
            }
        });
        if (events.isEmpty()) {
            return;
        }
        events.sort((a, b) -> a.get("name").asText().compareTo(b.get("name").asText()));
        out.append("\n### Events\n\n| signature | topic0 | parameters (indexed marked) |\n|---|---|---|\n");
        for (JsonNode event : events) {
            List<String> types = new ArrayList<>();
            List<String> params = new ArrayList<>();
            for (JsonNode input : event.get("inputs")) {
                types.add(input.get("type").asText());
                params.add((input.get("indexed").asBoolean() ? "indexed " : "") + input.get("type").asText() + " "
                        + input.get("name").asText());
            }
            String signature = event.get("name").asText() + "(" + String.join(",", types) + ")";
            out.append("| `").append(signature).append("` | `").append(Hash.sha3String(signature)).append("` | ")
                    .append(String.join(", ", params)).append(" |\n");
        }
    }

    private static void storage(String contract, StringBuilder out) throws IOException {
        JsonNode layout = JSON.readTree(SOLC.resolve(contract + ".layout.json").toFile());
        out.append("\n### Storage\n\n");
        table(layout.get("variables"), out);
        List<String> structs = new ArrayList<>();
        layout.get("structs").fieldNames().forEachRemaining(structs::add);
        structs.sort(String::compareTo);
        for (String struct : structs) {
            out.append("\n`").append(struct).append("`\n\n");
            table(layout.get("structs").get(struct), out);
        }
    }

    private static void table(JsonNode entries, StringBuilder out) {
        out.append("| slot | offset | type | name |\n|---|---|---|---|\n");
        for (JsonNode v : entries) {
            out.append("| ").append(v.get("slot").asText()).append(" | ").append(v.get("offset").asInt()).append(" | `")
                    .append(v.get("type").asText()).append("` | ").append(v.get("label").asText()).append(" |\n");
        }
    }
}
