package org.openspheron.chain;

import java.math.BigInteger;
import org.web3j.protocol.Web3j;
import org.web3j.tx.gas.ContractEIP1559GasProvider;

/**
 * Gas per call estimated as {@link EstimatingGasProvider} does, with EIP-1559 fees from {@link FeeOptions}:
 * web3j's contract wrappers send a type-2 transaction when their gas provider is one of these.
 */
final class Eip1559GasProvider extends EstimatingGasProvider implements ContractEIP1559GasProvider {
    private final Web3j web3j;
    private final long chainId;
    private final FeeOptions fees;

    Eip1559GasProvider(Web3j web3j, long chainId, FeeOptions fees) {
        super(web3j);
        this.web3j = web3j;
        this.chainId = chainId;
        this.fees = fees;
    }

    @Override
    public long getChainId() {
        return chainId;
    }

    @Override
    public BigInteger getMaxFeePerGas() {
        return fees.quote(web3j).maxFeePerGas();
    }

    @Override
    public BigInteger getMaxPriorityFeePerGas() {
        return fees.quote(web3j).maxPriorityFeePerGas();
    }
}
