package org.openspheron.chain.nativeimage;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The classes the native image registers, listed on the JVM: what web3j's decoder will look up is among them. */
class Web3jReflectionFeatureTest {
    @Test
    void registersTheAbiTypesTheDecoderCreatesByReflection() throws Exception {
        List<String> names = Web3jReflectionFeature.abiTypeNames();
        // Uint: every array length and offset is decoded as one (the native matchmaker's first failure).
        assertThat(names).contains("org.web3j.abi.datatypes.Uint", "org.web3j.abi.datatypes.Int",
                "org.web3j.abi.datatypes.generated.Uint8", "org.web3j.abi.datatypes.generated.Uint256",
                "org.web3j.abi.datatypes.generated.Int256", "org.web3j.abi.datatypes.generated.Bytes32",
                "org.web3j.abi.datatypes.generated.StaticArray3", "org.web3j.abi.datatypes.Address",
                "org.web3j.abi.datatypes.DynamicArray", "org.web3j.abi.datatypes.Utf8String");
        assertThat(Class.forName("org.web3j.abi.datatypes.Uint").getConstructor(BigInteger.class)).isNotNull();
    }

    @Test
    void registersEveryWrapperStructAndTypeReference() {
        List<String> names = Web3jReflectionFeature.wrapperClassNames();
        assertThat(names).contains("org.openspheron.contracts.generated.DeploymentOrder",
                "org.openspheron.contracts.generated.DeploymentOrder$Order",
                "org.openspheron.contracts.generated.DeploymentOrder$OrderSpec",
                "org.openspheron.contracts.generated.DeploymentOrder$Bid",
                "org.openspheron.contracts.generated.DeploymentOrder$Lease",
                "org.openspheron.contracts.generated.ProviderRegistry$Provider",
                // the anonymous TypeReference<DynamicArray<Uint256>> of openOrderIds() and its kind
                "org.openspheron.contracts.generated.DeploymentOrder$1");
    }

    @Test
    void registersTheJsonRpcModelTheMapperWritesAndReads() {
        assertThat(Web3jReflectionFeature.jsonRpcClassNames()).contains("org.web3j.protocol.core.Request",
                "org.web3j.protocol.core.Response", "org.web3j.protocol.core.Response$Error",
                "org.web3j.protocol.core.methods.response.EthBlock$Block",
                "org.web3j.protocol.core.methods.response.EthLog$LogObject",
                "org.web3j.protocol.core.methods.response.TransactionReceipt",
                "org.web3j.protocol.core.methods.request.Transaction",
                "org.web3j.protocol.deserializer.KeepAsJsonDeserialzier",
                "org.web3j.protocol.websocket.events.NewHeadsNotification",
                "org.web3j.protocol.websocket.events.NewHead");
    }
}
