package org.openspheron.chain;

import java.io.IOException;
import java.math.BigInteger;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthEstimateGas;
import org.web3j.protocol.core.Response;
import org.web3j.tx.gas.ContractGasProvider;

/**
 * Asks the node for every transaction's gas ({@code eth_estimateGas}, plus a margin) and the current gas price.
 * A call that would revert fails here, before anything is signed or sent, with the contract's decoded error.
 */
class EstimatingGasProvider implements ContractGasProvider {
    private static final BigInteger FALLBACK_LIMIT = BigInteger.valueOf(6_000_000);

    private final Web3j web3j;

    EstimatingGasProvider(Web3j web3j) {
        this.web3j = web3j;
    }

    @Override
    public BigInteger getGasPrice() {
        try {
            return web3j.ethGasPrice().send().getGasPrice();
        } catch (IOException e) {
            throw new ChainException("cannot read the gas price: " + e.getMessage(), e);
        }
    }

    @Override
    public BigInteger getGasLimit(Transaction transaction) {
        EthEstimateGas estimate;
        try {
            estimate = web3j.ethEstimateGas(transaction).send();
        } catch (IOException e) {
            throw new ChainException("cannot estimate gas: " + e.getMessage(), e);
        }
        if (estimate.hasError()) {
            Response.Error error = estimate.getError();
            Object data = error.getData();
            if (data != null) {
                throw RevertDecoder.instance().decode(describe(transaction), String.valueOf(data).replace("\"", ""));
            }
            throw new ChainException(describe(transaction) + " rejected by the node: " + error.getMessage());
        }
        BigInteger gas = estimate.getAmountUsed();
        // The estimate is made against the state of one block and the transaction runs in a later one, where a word
        // it writes may have gone from non-zero to zero (another party claimed, a lease list changed): each such word
        // costs some 17,000 gas more. 10,000 over +20% ran a tenant's close out of gas when the provider had just
        // claimed its balance; a quarter and 60,000 cover three such words. Only the gas used is paid.
        return gas.add(gas.divide(BigInteger.valueOf(4))).add(BigInteger.valueOf(60_000));
    }

    @Override
    public BigInteger getGasLimit() {
        return FALLBACK_LIMIT;
    }

    private static String describe(Transaction transaction) {
        String data = transaction.getData();
        return "call " + (data != null && data.length() >= 10 ? data.substring(0, 10) : "(deploy)")
                + " to " + transaction.getTo();
    }
}
