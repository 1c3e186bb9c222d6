package org.openspheron.chain;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Type;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.BatchRequest;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.RemoteFunctionCall;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.utils.Numeric;

/**
 * Many view calls to one contract, at one block, {@code batchSize} views to an {@code eth_call}.
 *
 * <p>Each group of views goes out as one {@code eth_call} that runs the creation code of {@code ReadBatch}
 * (contracts/src/ReadBatch.sol) without deploying it: its constructor makes the static calls and reverts with their
 * results (a revert's data has no size limit; code a constructor returns does). That is one call for the process's
 * budget and for the RPC provider's bill, whatever it holds. When the node does not answer such a call with the
 * results (no contract creation in eth_call, a gas cap, revert data dropped), this reader stops using it and sends
 * each group as a JSON-RPC batch of single calls instead (one HTTP request, but a call each); when a view in it
 * reverts, that group alone is read as a batch, whose error names the call.
 *
 * <p>Holds no key; safe to share.
 */
public final class ViewBatch {
    private static final System.Logger LOG = System.getLogger(ViewBatch.class.getName());
    private static final String READER = "0x0000000000000000000000000000000000000000";
    private static final String READ_BATCH_RESOURCE = "/org/openspheron/contracts/solc/ReadBatch.bin";
    private static final String READ_BATCH_CODE = readBatchCode();
    /** Selectors of ReadBatch's errors, lower-case hex without 0x: its answer, and a view that reverted. */
    private static final String RESULTS = org.web3j.crypto.Hash.sha3String("Results(bytes[])").substring(2, 10);
    private static final String VIEW_REVERTED = org.web3j.crypto.Hash.sha3String("ViewReverted(uint256,bytes)").substring(2, 10);
    @SuppressWarnings("rawtypes")
    private static final List<TypeReference<?>> BYTES_ARRAY = List.of(new TypeReference<DynamicArray<DynamicBytes>>() {
    });

    private final Web3j web3j;
    private final int batchSize;
    private volatile boolean oneCallRefused;
    private volatile long refusedUntilNanos;
    /** How long a node's refusal of one-call reads is believed before they are tried again. */
    static final java.time.Duration REFUSAL_KEPT_FOR = java.time.Duration.ofMinutes(10);

    public ViewBatch(Web3j web3j, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1: " + batchSize);
        }
        this.web3j = web3j;
        this.batchSize = batchSize;
    }

    public int batchSize() {
        return batchSize;
    }

    /**
     * The decoded results of {@code calls} to {@code target} as of {@code block}, in their order.
     *
     * @throws ChainException when a group, or a call in it, fails: nothing is returned
     */
    public List<List<Type>> read(String target, List<? extends RemoteFunctionCall<?>> calls, DefaultBlockParameter block) {
        List<List<Type>> results = new ArrayList<>(calls.size());
        for (int from = 0; from < calls.size(); from += batchSize) {
            List<? extends RemoteFunctionCall<?>> part = calls.subList(from, Math.min(calls.size(), from + batchSize));
            if (oneCallRefused && System.nanoTime() - refusedUntilNanos > 0) {
                oneCallRefused = false;
            }
            List<List<Type>> read = oneCallRefused ? null : inOneCall(target, part, block);
            results.addAll(read != null ? read : batched(target, part, block));
        }
        return results;
    }

    /** The results of {@code part} from one deployless {@code ReadBatch} call; null when it is to be read otherwise. */
    private List<List<Type>> inOneCall(String target, List<? extends RemoteFunctionCall<?>> part,
                                       DefaultBlockParameter block) {
        List<DynamicBytes> calls = new ArrayList<>(part.size());
        for (RemoteFunctionCall<?> call : part) {
            calls.add(new DynamicBytes(Numeric.hexStringToByteArray(call.encodeFunctionCall())));
        }
        String data = READ_BATCH_CODE + FunctionEncoder.encodeConstructor(
                List.of(new Address(target), new DynamicArray<>(DynamicBytes.class, calls)));
        EthCall answer;
        try {
            answer = web3j.ethCall(Transaction.createEthCallTransaction(READER, null, data), block).send();
        } catch (IOException e) {
            throw new ChainException("reading " + part.size() + " views in one call failed: " + e.getMessage(), e);
        }
        String revertData = answer.hasError() ? revertData(answer.getError()) : "";
        if (revertData.startsWith(VIEW_REVERTED)) {
            // One view reverted: the batch of single calls says which.
            return null;
        }
        if (!revertData.startsWith(RESULTS)) {
            if (answer.hasError() && saysNothingAboutOneCallReads(answer.getError())) {
                // No state for that block (pruned), or a limit of the moment: the read fails, and is tried again.
                throw new ChainException("reading " + part.size() + " views at block " + block.getValue()
                        + " failed: " + answer.getError().getMessage() + " (code " + answer.getError().getCode() + ")");
            }
            // Tried again later: an error this reader did not recognise may have been a passing one, and batches of
            // single calls cost a call each.
            refusedUntilNanos = System.nanoTime() + REFUSAL_KEPT_FOR.toNanos();
            oneCallRefused = true;
            LOG.log(System.Logger.Level.INFO, "the node does not answer views read in one eth_call ({0}); reading "
                    + "them in JSON-RPC batches of single calls for the next {1} minutes", answer.hasError()
                    ? answer.getError().getMessage() : "it returned instead of reverting with the results",
                    REFUSAL_KEPT_FOR.toMinutes());
            return null;
        }
        @SuppressWarnings("unchecked")
        List<Type> decoded = FunctionReturnDecoder.decode("0x" + revertData.substring(RESULTS.length()), (List) BYTES_ARRAY);
        if (decoded.isEmpty()) {
            throw new ChainException("reading " + part.size() + " views in one call returned nothing");
        }
        @SuppressWarnings("unchecked")
        List<DynamicBytes> returned = ((DynamicArray<DynamicBytes>) decoded.get(0)).getValue();
        if (returned.size() != part.size()) {
            throw new ChainException("reading " + part.size() + " views in one call returned " + returned.size());
        }
        List<List<Type>> results = new ArrayList<>(part.size());
        for (int i = 0; i < part.size(); i++) {
            results.add(decodeResult(part.get(i), Numeric.toHexString(returned.get(i).getValue())));
        }
        return results;
    }

    /**
     * Errors that say nothing about whether the node answers one-call reads: a block whose state it no longer (or
     * never) held, in the words of geth, Erigon, Reth, Besu and Nethermind, and the limits of a moment (rate limits,
     * timeouts), in those of Infura, Alchemy and QuickNode.
     */
    private static boolean saysNothingAboutOneCallReads(Response.Error error) {
        String m = error.getMessage() == null ? "" : error.getMessage().toLowerCase(java.util.Locale.ROOT);
        return error.getCode() == -32005 || error.getCode() == 429 || m.contains("missing trie node")
                || m.contains("state not available") || m.contains("header not found") || m.contains("missing state")
                || m.contains("pruned") || m.contains("state histories") || m.contains("block not found")
                || m.contains("historical state") || m.contains("rate limit") || m.contains("too many requests")
                || m.contains("timeout") || m.contains("timed out");
    }

    /** The revert data of an error answer, lower-case hex without 0x; empty when it carries none. */
    private static String revertData(Response.Error error) {
        String data = error.getData() == null ? "" : error.getData().trim();
        if (data.startsWith("\"") && data.endsWith("\"") && data.length() >= 2) {
            data = data.substring(1, data.length() - 1);
        }
        data = data.toLowerCase(java.util.Locale.ROOT);
        return data.startsWith("0x") ? data.substring(2) : "";
    }

    /** The results of {@code part} from a JSON-RPC batch of single calls: one request, a call each. */
    private List<List<Type>> batched(String target, List<? extends RemoteFunctionCall<?>> part,
                                     DefaultBlockParameter block) {
        List<List<Type>> results = new ArrayList<>(part.size());
        BatchRequest batch = web3j.newBatch();
        for (RemoteFunctionCall<?> call : part) {
            batch.add(web3j.ethCall(Transaction.createEthCallTransaction(READER, target, call.encodeFunctionCall()),
                    block));
        }
        Map<Long, Response<?>> byId = answers(batch);
        for (int i = 0; i < part.size(); i++) {
            Response<?> answer = byId.get(batch.getRequests().get(i).getId());
            results.add(decode(part.get(i), answer));
        }
        return results;
    }

    /** The batch's answers by request id: JSON-RPC lets a node answer a batch in any order. */
    private Map<Long, Response<?>> answers(BatchRequest batch) {
        List<? extends Response<?>> responses;
        try {
            responses = batch.send().getResponses();
        } catch (IOException e) {
            throw new ChainException("a batch of " + batch.getRequests().size() + " reads failed: "
                    + e.getMessage(), e);
        }
        Map<Long, Response<?>> byId = new HashMap<>();
        for (Response<?> response : responses) {
            byId.put(response.getId(), response);
        }
        return byId;
    }

    private static List<Type> decode(RemoteFunctionCall<?> call, Response<?> answer) {
        if (answer == null) {
            throw new ChainException("the node left " + what(call) + " of a batch unanswered");
        }
        if (answer.hasError()) {
            throw new ChainException(what(call) + " failed: " + answer.getError().getMessage());
        }
        EthCall result = (EthCall) answer;
        if (result.isReverted()) {
            throw new ChainException(what(call) + " reverted: " + result.getRevertReason());
        }
        return decodeResult(call, result.getValue());
    }

    private static List<Type> decodeResult(RemoteFunctionCall<?> call, String value) {
        List<Type> decoded = call.decodeFunctionResponse(value);
        if (decoded.isEmpty()) {
            throw new ChainException(what(call) + " returned nothing: no contract at its address?");
        }
        return decoded;
    }

    private static String readBatchCode() {
        try (java.io.InputStream in = ViewBatch.class.getResourceAsStream(READ_BATCH_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(READ_BATCH_RESOURCE + " is missing from the contracts jar");
            }
            return "0x" + new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The call's selector and arguments, for an error message. */
    private static String what(RemoteFunctionCall<?> call) {
        String data = call.encodeFunctionCall();
        return "call " + (data.length() > 74 ? data.substring(0, 74) + "..." : data);
    }
}
