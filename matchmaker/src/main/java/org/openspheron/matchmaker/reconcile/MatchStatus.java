package org.openspheron.matchmaker.reconcile;

/** Where an order stands as this operator sees it. */
public enum MatchStatus {
    /** Bids are still taken, or the window's end is not yet confirmations deep. */
    WAITING_WINDOW("waiting-window"),
    /** No bid qualifies; the order stays open until the tenant cancels it. */
    NO_ELIGIBLE_BID("no-eligible-bid"),
    /** Signed; collecting the quorum's signatures. */
    SIGNING("signing"),
    /** This operator sent matchOrder; its outcome is being awaited. */
    SUBMITTED("submitted"),
    /** The lease exists (created by this or another operator). */
    MATCHED("matched"),
    /** The tenant cancelled the order. */
    CANCELLED("cancelled"),
    /** Its match deadline passed unmatched: no match is possible any more; the tenant cancels it for the deposit. */
    EXPIRED("expired");

    private final String label;

    MatchStatus(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public boolean settled() {
        return this == MATCHED || this == CANCELLED || this == EXPIRED;
    }
}
