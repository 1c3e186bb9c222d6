package org.openspheron.matchmaker.config;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What a native image must keep for reflection. web3j maps JSON-RPC responses with Jackson onto its response
 * classes, builds requests reflectively, and decodes ABI structs by looking up the generated wrappers' nested
 * classes and their constructors; Bouncy Castle's provider is looked up by name. None of that is visible to the
 * native-image analysis, so it is listed here. Our own REST records are registered by Quarkus REST itself; the
 * MatchingPolicy types are (de)serialized by the fabric8 client's Jackson, so they are listed too.
 */
@RegisterForReflection(
        targets = {
                org.web3j.protocol.core.Request.class,
                org.web3j.protocol.core.Response.class,
                org.web3j.protocol.core.Response.Error.class,
                org.web3j.protocol.core.methods.response.EthBlockNumber.class,
                org.web3j.protocol.core.methods.response.EthChainId.class,
                org.web3j.protocol.core.methods.response.EthCall.class,
                org.web3j.protocol.core.methods.response.EthEstimateGas.class,
                org.web3j.protocol.core.methods.response.EthGasPrice.class,
                org.web3j.protocol.core.methods.response.EthMaxPriorityFeePerGas.class,
                org.web3j.protocol.core.methods.response.EthFeeHistory.class,
                org.web3j.protocol.core.methods.response.EthFeeHistory.FeeHistory.class,
                org.web3j.protocol.core.methods.response.EthGetBalance.class,
                org.web3j.protocol.core.methods.response.EthGetCode.class,
                org.web3j.protocol.core.methods.response.EthGetTransactionCount.class,
                org.web3j.protocol.core.methods.response.EthGetTransactionReceipt.class,
                org.web3j.protocol.core.methods.response.EthSendTransaction.class,
                org.web3j.protocol.core.methods.response.EthTransaction.class,
                org.web3j.protocol.core.methods.response.EthBlock.class,
                org.web3j.protocol.core.methods.response.EthBlock.Block.class,
                org.web3j.protocol.core.methods.response.EthBlock.TransactionHash.class,
                org.web3j.protocol.core.methods.response.EthBlock.TransactionObject.class,
                org.web3j.protocol.core.methods.response.EthBlock.ResultTransactionDeserialiser.class,
                org.web3j.protocol.core.methods.response.EthBlock.ResponseDeserialiser.class,
                org.web3j.protocol.core.methods.response.EthLog.class,
                org.web3j.protocol.core.methods.response.EthLog.LogObject.class,
                org.web3j.protocol.core.methods.response.EthLog.Hash.class,
                org.web3j.protocol.core.methods.response.EthLog.LogResultDeserialiser.class,
                org.web3j.protocol.core.methods.response.EthFilter.class,
                org.web3j.protocol.core.methods.response.EthUninstallFilter.class,
                org.web3j.protocol.core.methods.response.NetVersion.class,
                org.web3j.protocol.core.methods.response.Log.class,
                org.web3j.protocol.core.methods.response.Transaction.class,
                org.web3j.protocol.core.methods.response.TransactionReceipt.class,
                org.web3j.protocol.core.methods.response.AccessListObject.class,
                org.web3j.protocol.core.methods.request.Transaction.class,
                org.web3j.protocol.core.methods.request.EthFilter.class,
                org.web3j.protocol.core.methods.request.Filter.class,
                org.web3j.protocol.core.DefaultBlockParameterNumber.class,
                org.web3j.protocol.core.DefaultBlockParameterName.class,
                org.web3j.protocol.deserializer.KeepAsJsonDeserialzier.class,
                org.web3j.protocol.deserializer.RawResponseDeserializer.class,
                org.web3j.abi.datatypes.DynamicStruct.class,
                org.web3j.abi.datatypes.StaticStruct.class,
                org.web3j.abi.datatypes.DynamicArray.class,
                org.web3j.abi.datatypes.StaticArray.class,
                org.web3j.abi.datatypes.Address.class,
                org.web3j.abi.datatypes.Bool.class,
                org.web3j.abi.datatypes.Utf8String.class,
                org.web3j.abi.datatypes.DynamicBytes.class,
                org.web3j.abi.datatypes.generated.Uint8.class,
                org.web3j.abi.datatypes.generated.Uint32.class,
                org.web3j.abi.datatypes.generated.Uint64.class,
                org.web3j.abi.datatypes.generated.Uint256.class,
                org.web3j.abi.datatypes.generated.Bytes32.class,
                org.web3j.abi.DefaultFunctionEncoder.class,
                org.web3j.abi.DefaultFunctionReturnDecoder.class,
                org.openspheron.contracts.generated.DeploymentOrder.Order.class,
                org.openspheron.contracts.generated.DeploymentOrder.OrderSpec.class,
                org.openspheron.contracts.generated.DeploymentOrder.Bid.class,
                org.openspheron.contracts.generated.DeploymentOrder.Lease.class,
                org.openspheron.contracts.generated.ProviderRegistry.Provider.class,
                org.bouncycastle.jce.provider.BouncyCastleProvider.class,
                org.openspheron.matchmaker.policy.MatchingPolicy.class,
                org.openspheron.matchmaker.policy.MatchingPolicySpec.class,
                org.openspheron.matchmaker.policy.MatchingPolicySpec.Weights.class,
                org.openspheron.matchmaker.policy.MatchingPolicyStatus.class,
                org.openspheron.matchmaker.scoring.ScoringPolicy.Weights.class
        },
        ignoreNested = false)
public final class NativeReflection {
    private NativeReflection() {
    }
}
