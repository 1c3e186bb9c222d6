package org.openspheron.operator.leadership;

/**
 * Work only one replica of the operator may do at a time: everything that signs with the provider's key (registration,
 * bids, confirmations and declines, heartbeats, withdrawals). Two replicas doing it would bid twice on one order and
 * race on the key's nonce. {@link Leadership} starts it when this replica is elected and stops it when the replica
 * stops leading, which is before another replica can be elected (the renew deadline is shorter than the Lease).
 */
public interface LeaderDuty {
    /** This replica leads: start. Runs on the elector's thread, so it must return quickly. */
    void startLeading();

    /** This replica no longer leads: stop, and return only once nothing more will be sent. */
    void stopLeading();
}
