package org.openspheron.chain;

/**
 * Why a provider declines a lease before its confirm deadline (DeploymentOrder.declineLease): the tenant's part
 * of the deployment failed, so the lease ends without a slash and the tenant pays for the time it held the capacity.
 */
public enum DeclineReason {
    /** No manifest matching the order's hash reached the provider's gateway. */
    MANIFEST_NOT_RECEIVED(5),
    /** The manifest arrived but the tenant's workload never became ready. */
    DEPLOYMENT_NOT_READY(6);

    private final int closeReason;

    DeclineReason(int closeReason) {
        this.closeReason = closeReason;
    }

    /** The contract's CloseReason ordinal. */
    public int closeReason() {
        return closeReason;
    }
}
