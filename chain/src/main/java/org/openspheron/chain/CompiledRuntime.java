package org.openspheron.chain;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.web3j.protocol.ObjectMapperFactory;
import org.web3j.utils.Numeric;

/**
 * A contract's runtime code as solc compiled it, and the byte ranges its constructor fills with immutables
 * (solc's {@code immutableReferences}; zero in the compiled code). Deployed code equals it everywhere else, and every
 * range of one immutable holds the same value: that is what {@link #mismatch} checks. The values themselves are the
 * constructor's arguments, which {@link ProtocolVerifier} reads back through the contract's getters: once the rest
 * of the code is known to be ours, those getters are too.
 */
record CompiledRuntime(String contract, byte[] code, List<List<int[]>> immutables) {

    static CompiledRuntime of(String contract) {
        String resource = "/org/openspheron/contracts/solc/" + contract + ".runtime.json";
        try (InputStream in = CompiledRuntime.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("runtime code missing from the contracts jar: " + resource);
            }
            JsonNode json = ObjectMapperFactory.getObjectMapper().readTree(in);
            List<List<int[]>> immutables = new ArrayList<>();
            for (JsonNode references : json.get("immutables")) {
                List<int[]> ranges = new ArrayList<>();
                for (JsonNode range : references) {
                    ranges.add(new int[] {range.get("start").asInt(), range.get("length").asInt()});
                }
                immutables.add(ranges);
            }
            return new CompiledRuntime(contract, Numeric.hexStringToByteArray(json.get("code").asText()), immutables);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Why {@code deployed} is not this contract's code, or empty when it is (immutables aside). */
    Optional<String> mismatch(byte[] deployed) {
        if (deployed.length == 0) {
            return Optional.of("no code at this address");
        }
        if (deployed.length != code.length) {
            return Optional.of(deployed.length + " bytes of code, the compiled " + contract + " has " + code.length);
        }
        byte[] masked = deployed.clone();
        for (List<int[]> ranges : immutables) {
            byte[] first = slice(deployed, ranges.get(0));
            for (int[] range : ranges) {
                if (!Arrays.equals(first, slice(deployed, range))) {
                    return Optional.of("the immutable at byte " + range[0] + " differs from its other copies");
                }
                Arrays.fill(masked, range[0], range[0] + range[1], (byte) 0);
            }
        }
        for (int i = 0; i < code.length; i++) {
            if (masked[i] != code[i]) {
                return Optional.of("the code differs from the compiled " + contract + " at byte " + i);
            }
        }
        return Optional.empty();
    }

    private static byte[] slice(byte[] code, int[] range) {
        return Arrays.copyOfRange(code, range[0], range[0] + range[1]);
    }
}
