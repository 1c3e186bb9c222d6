package org.openspheron.matchmaker.reconcile;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.openspheron.chain.ProtocolFixture;
import org.openspheron.matchmaker.chain.ChainSession;
import org.openspheron.matchmaker.quorum.PeerDecision;
import org.openspheron.matchmaker.quorum.PeerTransport;
import org.openspheron.matchmaker.quorum.Quorum;
import org.openspheron.matchmaker.quorum.SignedMatch;
import org.openspheron.matchmaker.scoring.Scorer;
import org.openspheron.matchmaker.scoring.ScoringPolicy;

/**
 * One matchmaker operator as plain objects, for tests that run several in one JVM. Its peers are reached by direct
 * calls instead of HTTP; everything they send still goes through {@link Quorum#receive} (ECDSA recovery against
 * the on-chain operator set), exactly as over HTTP.
 */
final class Operator implements AutoCloseable {
    final int index;
    final ChainSession chain;
    final Quorum quorum;
    final MatchReconciler reconciler;
    final CountingEvents events = new CountingEvents();
    final List<Operator> peers = new ArrayList<>();
    volatile boolean down;

    Operator(ProtocolFixture fixture, int index, int confirmations, ScoringPolicy policy) {
        this(fixture.chain().rpcUrl(), fixture, index, confirmations, policy);
    }

    Operator(String rpcUrl, ProtocolFixture fixture, int index, int confirmations, ScoringPolicy policy) {
        this.index = index;
        this.chain = new ChainSession(rpcUrl, fixture.addresses(), fixture.matchmakerKey(index));
        this.quorum = new Quorum(chain);
        this.reconciler = new MatchReconciler(chain, new Scorer(policy), quorum, this::transport, confirmations,
                events, Runnable::run, Clock.systemUTC(), 4);
    }

    static List<Operator> quorumOf(ProtocolFixture fixture, int count, int confirmations) {
        List<Operator> operators = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            operators.add(new Operator(fixture, i, confirmations, ScoringPolicy.defaults()));
        }
        connect(operators);
        return operators;
    }

    static void connect(List<Operator> operators) {
        for (Operator o : operators) {
            o.peers.clear();
            operators.stream().filter(p -> p != o).forEach(o.peers::add);
        }
    }

    /** Replaces {@code old} (stopped) by a fresh instance with the same key and no memory. */
    static Operator restart(ProtocolFixture fixture, List<Operator> operators, Operator old) {
        old.close();
        Operator fresh = new Operator(fixture, old.index, 0, ScoringPolicy.defaults());
        operators.set(operators.indexOf(old), fresh);
        connect(operators);
        return fresh;
    }

    private List<PeerTransport.Peer> transport() {
        List<PeerTransport.Peer> out = new ArrayList<>();
        for (Operator peer : peers) {
            out.add(new PeerTransport.Peer() {
                @Override
                public String name() {
                    return "operator-" + peer.index;
                }

                @Override
                public void send(SignedMatch signature) throws PeerTransport.PeerException {
                    peer.requireUp();
                    peer.quorum.receive(signature);
                }

                @Override
                public Optional<PeerDecision> decision(long orderId) throws PeerTransport.PeerException {
                    peer.requireUp();
                    return peer.reconciler.peerDecision(orderId);
                }
            });
        }
        return out;
    }

    private void requireUp() throws PeerTransport.PeerException {
        if (down) {
            throw new PeerTransport.PeerException("operator-" + index + " is down");
        }
    }

    /** One pass, unless this operator is down. */
    void pass() {
        if (!down) {
            reconciler.reconcile();
        }
    }

    static void passes(List<Operator> operators, int rounds) {
        for (int r = 0; r < rounds; r++) {
            operators.forEach(Operator::pass);
        }
    }

    @Override
    public void close() {
        down = true;
        reconciler.close();
        chain.close();
    }

    static final class CountingEvents implements MatchEvents {
        final AtomicInteger seen = new AtomicInteger();
        final AtomicInteger submitted = new AtomicInteger();
        final List<Long> submittedOrders = new java.util.concurrent.CopyOnWriteArrayList<>();
        final AtomicInteger observed = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger disagreements = new AtomicInteger();

        @Override
        public void orderSeen(long orderId) {
            seen.incrementAndGet();
        }

        @Override
        public void matchSubmitted(long orderId) {
            submitted.incrementAndGet();
            submittedOrders.add(orderId);
        }

        @Override
        public void matchObserved(long orderId, Duration sinceWindowClosed) {
            observed.incrementAndGet();
        }

        @Override
        public void submissionFailed(long orderId, String reason) {
            failed.incrementAndGet();
        }

        @Override
        public void disagreement(Disagreement disagreement) {
            disagreements.incrementAndGet();
        }
    }
}
