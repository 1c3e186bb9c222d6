package org.openspheron.operator.protocol;

import java.math.BigInteger;
import org.jboss.logging.Logger;
import org.openspheron.chain.ChainException;
import org.openspheron.chain.ContractRevertException;
import org.openspheron.chain.Lease;
import org.openspheron.chain.ProtocolReader;
import org.openspheron.chain.ProviderClient;

/**
 * Withdraws what the provider's leases have accrued, lease by lease, skipping those whose accrual is not worth
 * the gas yet, then claims what the contract holds for the provider from leases a tenant closed.
 *
 * <p>A lease whose escrow ran out or whose duration ended is settled whatever it has accrued: the withdrawal closes
 * it (or {@code closeExpired}, when nothing is left to withdraw), and nothing else would. Before, a lease that ended
 * with its last accrual at or below the threshold stayed active for ever: its namespace and GPUs held, its workload
 * running unpaid, its tenant's remainder locked. The lease watcher then sees the lease closed and tears it down.
 * One lease whose transaction fails is passed over until the next run; the others are still settled.
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

    /** Withdraws from every active lease above the threshold and settles every ended one; returns the total paid out. */
    public BigInteger withdrawDue() {
        BigInteger total = BigInteger.ZERO;
        Long now = null;
        for (long leaseId : reader.activeLeasesOf(provider.address())) {
            try {
                BigInteger accrued = reader.accrued(leaseId);
                if (accrued.compareTo(threshold) > 0) {
                    total = total.add(withdraw(leaseId));
                    continue;
                }
                Lease lease = reader.lease(leaseId).orElse(null);
                if (lease == null || !lease.isActive() || !lease.isConfirmed()) {
                    continue; // an unconfirmed lease accrues nothing; the lease watcher confirms or declines it
                }
                if (now == null) {
                    // A transaction mined earlier than this is refused as not expired: gas only, read next run.
                    now = reader.connection().nextBlockTimeAtLeast();
                }
                boolean exhausted = accrued.compareTo(lease.balance()) >= 0;
                if (!exhausted && now < lease.endsAt()) {
                    continue;
                }
                if (accrued.signum() > 0) {
                    total = total.add(withdraw(leaseId));
                } else {
                    provider.closeExpired(leaseId);
                    LOG.infof("closed lease %d: its %s with nothing left to withdraw", leaseId,
                            exhausted ? "escrow ran out" : "duration ended");
                }
            } catch (ContractRevertException e) {
                // Closed or emptied between the read and the transaction, or not over yet by the block's time:
                // nothing was lost, and the next run looks again.
                LOG.debugf("settling lease %d refused: %s", leaseId, e.getMessage());
            } catch (ChainException e) {
                LOG.warnf("settling lease %d failed: %s; retried next time", leaseId, e.getMessage());
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

    private BigInteger withdraw(long leaseId) {
        BigInteger paid = provider.withdraw(leaseId);
        LOG.infof("withdrew %s from lease %d", paid, leaseId);
        return paid;
    }
}
