package org.openspheron.chain;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * What {@link ProtocolDeployer} did, or in a dry run would do, on one chain.
 *
 * @param addresses where the contracts are (in a plan: where they will be if no other transaction of the deployer
 *        comes first, since a contract's address follows from its creator's address and nonce)
 * @param steps one per transaction, in the order they are sent
 */
public record ProtocolDeployment(ProtocolAddresses addresses, List<Step> steps) {
    public ProtocolDeployment {
        steps = List.copyOf(steps);
    }

    /**
     * One transaction of the deployment.
     *
     * @param name the contract created, or the call made (e.g. {@code ProviderRegistry.setSlasher})
     * @param address the contract created or called
     * @param parameters what it is created or called with, for people to check before they pay
     * @param gas the gas it used, or in a plan the node's estimate
     * @param transactionHash its transaction; empty in a plan
     */
    public record Step(String name, String address, Map<String, String> parameters, BigInteger gas, String transactionHash) {
        public Step {
            parameters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
        }

        public boolean sent() {
            return !transactionHash.isEmpty();
        }
    }

    public BigInteger totalGas() {
        return steps.stream().map(Step::gas).reduce(BigInteger.ZERO, BigInteger::add);
    }
}
