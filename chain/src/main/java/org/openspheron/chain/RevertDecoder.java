package org.openspheron.chain;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Type;
import org.web3j.crypto.Hash;
import org.web3j.protocol.ObjectMapperFactory;
import org.web3j.protocol.core.methods.response.AbiDefinition;
import org.web3j.utils.Numeric;

/**
 * Turns revert data into the contract's custom error, using the error definitions in the protocol's ABI files
 * (shipped in the contracts jar). {@code 0x08c379a0} is Solidity's {@code Error(string)}, {@code 0x4e487b71} its
 * {@code Panic(uint256)}.
 */
public final class RevertDecoder {
    private static final List<String> CONTRACTS =
            List.of("DeploymentOrder", "ProviderRegistry", "MatchmakerSet", "CertificateRegistry", "PaymentToken");
    private static final RevertDecoder INSTANCE = new RevertDecoder();

    private record ErrorDefinition(String name, List<AbiDefinition.NamedType> inputs) {
    }

    private final Map<String, ErrorDefinition> bySelector = new HashMap<>();

    private RevertDecoder() {
        bySelector.put("0x08c379a0", new ErrorDefinition("Error", List.of(new AbiDefinition.NamedType("reason", "string"))));
        bySelector.put("0x4e487b71", new ErrorDefinition("Panic", List.of(new AbiDefinition.NamedType("code", "uint256"))));
        for (String contract : CONTRACTS) {
            for (AbiDefinition definition : load(contract)) {
                if ("error".equals(definition.getType())) {
                    String signature = definition.getName() + "(" + definition.getInputs().stream()
                            .map(AbiDefinition.NamedType::getType).collect(Collectors.joining(",")) + ")";
                    String selector = Hash.sha3String(signature).substring(0, 10);
                    bySelector.put(selector, new ErrorDefinition(definition.getName(), definition.getInputs()));
                }
            }
        }
    }

    public static RevertDecoder instance() {
        return INSTANCE;
    }

    /** Decodes {@code revertData} (hex) into an exception for {@code function}; unknown data is shown raw. */
    public ContractRevertException decode(String function, String revertData) {
        if (revertData == null || revertData.length() < 10) {
            return new ContractRevertException(function, "Unknown", List.of(), "without a reason");
        }
        String selector = revertData.substring(0, 10).toLowerCase();
        ErrorDefinition error = bySelector.get(selector);
        if (error == null) {
            return new ContractRevertException(function, "Unknown", List.of(revertData), "unknown error " + revertData);
        }
        List<Object> values = decodeArguments(error, "0x" + revertData.substring(10));
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < error.inputs().size(); i++) {
            String name = error.inputs().get(i).getName();
            parts.add((name == null || name.isEmpty() ? "arg" + i : name) + "=" + render(values.get(i)));
        }
        return new ContractRevertException(function, error.name(), values, error.name() + "(" + String.join(", ", parts) + ")");
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static List<Object> decodeArguments(ErrorDefinition error, String data) {
        try {
            List<TypeReference<Type>> types = new ArrayList<>();
            for (AbiDefinition.NamedType input : error.inputs()) {
                types.add((TypeReference) TypeReference.makeTypeReference(input.getType()));
            }
            List<Type> decoded = FunctionReturnDecoder.decode(data, types);
            List<Object> values = new ArrayList<>();
            for (Type value : decoded) {
                values.add(value.getValue());
            }
            return values;
        } catch (ClassNotFoundException | RuntimeException e) {
            List<Object> raw = new ArrayList<>();
            for (int i = 0; i < error.inputs().size(); i++) {
                raw.add(data);
            }
            return raw;
        }
    }

    private static String render(Object value) {
        if (value instanceof byte[] bytes) {
            return Numeric.toHexString(bytes);
        }
        if (value instanceof BigInteger number) {
            return number.toString();
        }
        return String.valueOf(value);
    }

    private static List<AbiDefinition> load(String contract) {
        String resource = "/org/openspheron/contracts/solc/" + contract + ".abi";
        try (InputStream in = RevertDecoder.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("ABI resource missing from the contracts jar: " + resource);
            }
            return List.of(ObjectMapperFactory.getObjectMapper().readValue(in, AbiDefinition[].class));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
