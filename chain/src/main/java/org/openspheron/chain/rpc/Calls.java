package org.openspheron.chain.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.web3j.crypto.Hash;

/** The JSON-RPC calls in one payload web3j hands the transport: one call, or a batch. */
record Calls(List<String> methods, JsonNode single) {
    private static final String SEND_RAW = "eth_sendRawTransaction";
    /** "known transaction" as words, so "unknown transaction" is not taken for it. */
    private static final Pattern KNOWN = Pattern.compile("\\bknown transaction\\b");

    static Calls read(String payload, ObjectMapper json) throws IOException {
        JsonNode tree = json.readTree(payload);
        if (tree == null || !(tree.isObject() || tree.isArray())) {
            throw new IOException("not a JSON-RPC request: " + payload);
        }
        if (tree.isObject()) {
            return new Calls(List.of(tree.path("method").asText("?")), tree);
        }
        List<String> methods = new ArrayList<>();
        tree.forEach(call -> methods.add(call.path("method").asText("?")));
        return new Calls(List.copyOf(methods), null);
    }

    /**
     * Whether a call asks the node to sign and send a transaction with its own key and nonce: resending one after a
     * lost answer would send a second transaction, unlike a resent raw transaction.
     */
    boolean nodeSigns() {
        return methods.contains("eth_sendTransaction");
    }

    int size() {
        return Math.max(1, methods.size());
    }

    boolean isSingle() {
        return single != null;
    }

    /** The method, or the batch's methods, for an error message. */
    String label() {
        return isSingle() ? methods.get(0) : "a batch of " + methods.size() + " " + methods.stream().distinct().toList();
    }

    /**
     * The answer web3j gets: as it came, except that a resent raw transaction the node "already knows" is answered
     * with its hash, which is what the node said (or would have said) the first time.
     */
    byte[] settle(byte[] answer, ObjectMapper json) throws IOException {
        if (!isSingle() || !SEND_RAW.equals(methods.get(0))) {
            return answer;
        }
        JsonNode tree = tree(answer, 4096, json);
        if (tree == null || !alreadyKnown(tree.path("error").path("message").asText(""))) {
            return answer;
        }
        String hash = rawTransactionHash();
        return hash == null ? answer : answeredWith(hash, json);
    }

    /** The hash of the signed transaction a single {@code eth_sendRawTransaction} sends; null for anything else. */
    String rawTransactionHash() {
        if (!isSingle() || !SEND_RAW.equals(methods.get(0))) {
            return null;
        }
        String raw = single.path("params").path(0).asText("");
        return raw.isEmpty() ? null : Hash.sha3(raw);
    }

    /** The answer that accepts the transaction {@code hash}, for this call's id. */
    byte[] answeredWith(String hash, ObjectMapper json) throws IOException {
        ObjectNode result = json.createObjectNode();
        result.put("jsonrpc", "2.0");
        result.set("id", single.get("id"));
        result.put("result", hash);
        return json.writeValueAsBytes(result);
    }

    /** Whether {@code answer} refuses this call, a raw transaction, because its nonce was used already. */
    boolean nonceTooLow(byte[] answer, ObjectMapper json) {
        if (rawTransactionHash() == null) {
            return false;
        }
        JsonNode tree = tree(answer, 4096, json);
        return tree != null && nonceUsed(tree.path("error").path("message").asText(""));
    }

    /** geth, erigon, anvil and besu say "nonce too low" (besu also "NONCE_TOO_LOW"), nethermind "OldNonce". */
    static boolean nonceUsed(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        return m.contains("nonce too low") || m.contains("nonce_too_low") || m.contains("oldnonce");
    }

    /**
     * geth and erigon say "already known", besu "Known transaction", nethermind "AlreadyKnown", anvil "transaction
     * already imported".
     */
    static boolean alreadyKnown(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        return m.contains("already known") || m.contains("alreadyknown") || m.contains("already imported")
                || KNOWN.matcher(m).find();
    }

    /** The JSON tree of a body up to {@code maxBytes} long, or null when it is longer or not JSON. */
    static JsonNode tree(byte[] body, int maxBytes, ObjectMapper json) {
        if (body.length == 0 || body.length > maxBytes) {
            return null;
        }
        try {
            return json.readTree(body);
        } catch (IOException notJson) {
            return null;
        }
    }
}
