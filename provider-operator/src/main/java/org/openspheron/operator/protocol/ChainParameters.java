package org.openspheron.operator.protocol;

import org.openspheron.chain.ChainConnection;
import org.openspheron.chain.ChainException;
import org.openspheron.contracts.generated.DeploymentOrder;
import org.openspheron.contracts.generated.ProviderRegistry;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;

/**
 * The protocol's fixed parameters the provider schedules by, read once from the contracts (they are immutable
 * there), so the operator never disagrees with the chain about a window.
 *
 * @param matchWindowBlocks blocks after an order's bid window in which it may still be matched
 * @param heartbeatEpochBlocks blocks per heartbeat epoch
 * @param confirmWindowSeconds seconds after a lease's creation in which it must be confirmed or declined
 */
public record ChainParameters(long matchWindowBlocks, long heartbeatEpochBlocks, long confirmWindowSeconds) {
    private static final String READER = "0x0000000000000000000000000000000000000000";

    public static ChainParameters read(ChainConnection connection) {
        var tx = new ReadonlyTransactionManager(connection.web3j(), READER);
        var gas = new DefaultGasProvider();
        var orders = DeploymentOrder.load(connection.addresses().orders(), connection.web3j(), tx, gas);
        var registry = ProviderRegistry.load(connection.addresses().registry(), connection.web3j(), tx, gas);
        try {
            return new ChainParameters(orders.matchWindowBlocks().send().longValueExact(),
                    registry.heartbeatEpochBlocks().send().longValueExact(),
                    orders.confirmWindowSeconds().send().longValueExact());
        } catch (Exception e) {
            throw new ChainException("cannot read the protocol's parameters from " + connection.addresses().orders()
                    + ": " + e.getMessage(), e);
        }
    }
}
