package org.openspheron.operator.protocol;

import java.math.BigInteger;
import org.jboss.logging.Logger;
import org.openspheron.chain.ContractRevertException;
import org.openspheron.chain.ProtocolReader;
import org.openspheron.chain.ProviderClient;

/**
 * Withdraws what the provider's leases have accrued, lease by lease, skipping those whose accrual is not worth
 * the gas yet, then claims what the contract holds for the provider from leases a tenant closed. A withdrawal
 * can also close a lease whose escrow ran out or whose duration ended; the lease
 * watcher then sees it closed.
 */
public final class Earnings {
    private static final Logger LOG = Logger.getLogger(Earnings.class);

    private final ProtocolReader reader;
    private final ProviderClient provider;
    private final BigInteger threshold;

    /** @param threshold base units a lease must have accrued, strictly more, before it is withdrawn */
    public Earnings(ProtocolReader reader, ProviderClient provider, BigInteger threshold) {
        this.reader = reader;
        this.provider = provider;
        this.threshold = threshold;
    }

    /** Withdraws from every active lease above the threshold; returns the total paid out. */
    public BigInteger withdrawDue() {
        BigInteger total = BigInteger.ZERO;
        for (long leaseId : reader.activeLeasesOf(provider.address())) {
            BigInteger accrued = reader.accrued(leaseId);
            if (accrued.compareTo(threshold) <= 0) {
                continue;
            }
            try {
                BigInteger paid = provider.withdraw(leaseId);
                total = total.add(paid);
                LOG.infof("withdrew %s from lease %d", paid, leaseId);
            } catch (ContractRevertException e) {
                // Closed or emptied between the read and the transaction: nothing was lost.
                LOG.debugf("withdraw from lease %d refused: %s", leaseId, e.getMessage());
            }
        }
        // Payments a tenant's close (or anyone's closeExpired) settled are held by the contract for us to claim.
        BigInteger held = reader.claimable(provider.address());
        if (held.compareTo(threshold) > 0) {
            try {
                BigInteger claimed = provider.claim(provider.address());
                total = total.add(claimed);
                LOG.infof("claimed %s held for us from leases others closed", claimed);
            } catch (ContractRevertException e) {
                LOG.warnf("claiming %s held for us refused: %s; retried next time", held, e.getMessage());
            }
        }
        return total;
    }
}
