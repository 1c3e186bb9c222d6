package org.openspheron.operator.lease;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * The chain side when none is deployed: no chain holds the lease and nothing would mirror its object back, so a
 * deleted object takes its namespace along; it only records that the lease went.
 */
@DefaultBean
@ApplicationScoped
public class NoChainSide implements LeaseChainSide {
    private static final Logger LOG = Logger.getLogger(NoChainSide.class);

    @Override
    public boolean activeOnChain(SpheronLease lease) {
        return false;
    }

    @Override
    public void leaseRemoved(SpheronLease lease) {
        LOG.infof("lease %s removed from the cluster; no chain side is configured to close it on chain",
                lease.getMetadata().getName());
    }
}
