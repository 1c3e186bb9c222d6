package org.openspheron.matchmaker.quorum;

import java.util.List;
import java.util.Optional;

/**
 * How an operator reaches its peers. Over HTTP in production ({@code HttpPeers}); any transport works because
 * nothing a peer sends is trusted without ECDSA recovery against the on-chain operator set.
 */
public interface PeerTransport {

    List<Peer> peers();

    /** One peer operator. Calls may fail (the peer is down); the caller retries on its next pass. */
    interface Peer {
        String name();

        /** Pushes our signature to the peer. */
        void send(SignedMatch signature) throws PeerException;

        /** The peer's decision and signatures for the order, or empty when it has none yet. */
        Optional<PeerDecision> decision(long orderId) throws PeerException;
    }

    /** A peer could not be reached or refused the call. */
    final class PeerException extends Exception {
        public PeerException(String message, Throwable cause) {
            super(message, cause);
        }

        public PeerException(String message) {
            super(message);
        }
    }

    static PeerTransport none() {
        return List::of;
    }
}
