package org.openspheron.matchmaker.reconcile;

import java.time.Duration;

/** What the reconciler reports for metrics. */
public interface MatchEvents {
    void orderSeen(long orderId);

    void matchSubmitted(long orderId);

    /** A lease appeared for an order this operator followed; {@code sinceWindowClosed} null when unknown. */
    void matchObserved(long orderId, Duration sinceWindowClosed);

    void submissionFailed(long orderId, String reason);

    void disagreement(Disagreement disagreement);

    MatchEvents NONE = new MatchEvents() {
        @Override
        public void orderSeen(long orderId) {
        }

        @Override
        public void matchSubmitted(long orderId) {
        }

        @Override
        public void matchObserved(long orderId, Duration sinceWindowClosed) {
        }

        @Override
        public void submissionFailed(long orderId, String reason) {
        }

        @Override
        public void disagreement(Disagreement disagreement) {
        }
    };
}
