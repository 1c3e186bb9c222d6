package org.openspheron.matchmaker.quorum;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.openspheron.chain.ChainException;
import org.openspheron.chain.MatchmakerClient.MatchSignature;
import org.openspheron.matchmaker.chain.ChainSession;
import org.openspheron.matchmaker.quorum.SignedMatch.MatchKey;
import org.web3j.utils.Numeric;

/**
 * The signatures this operator holds, its own and its peers', per (order, bid, seed). A peer's signature is kept
 * only when the address recovered from it is a current operator on chain; what the peer claims about itself is
 * never trusted. Thread-safe: signatures arrive over HTTP while the reconciler reads them.
 */
public final class Quorum {
    private final ChainSession chain;
    private final String self;
    private final Map<MatchKey, Map<String, SignedMatch>> book = new ConcurrentHashMap<>();
    private final Map<MatchKey, byte[]> digests = new ConcurrentHashMap<>();
    private final Map<String, Boolean> operators = new ConcurrentHashMap<>();
    private volatile List<String> operatorSet;

    public Quorum(ChainSession chain) {
        this.chain = chain;
        this.self = chain.operatorAddress();
    }

    public String self() {
        return self;
    }

    /** Forgets who is an operator, so a change of the on-chain set is seen; called once per reconcile pass. */
    public void refreshOperators() {
        operators.clear();
        operatorSet = null;
    }

    /** The on-chain operator set, read at most once per pass (when a match is to be sent), not per order. */
    public List<String> operatorSet() {
        List<String> set = operatorSet;
        if (set == null) {
            set = List.copyOf(chain.reader().operators());
            operatorSet = set;
        }
        return set;
    }

    /** Signs the match with this operator's key and keeps the signature. */
    public SignedMatch sign(long orderId, int bidIndex, String seed) {
        SignedMatch unsigned = new SignedMatch(orderId, bidIndex, seed, self, null);
        MatchSignature signature = chain.client().sign(digest(unsigned.key()));
        SignedMatch signed = new SignedMatch(orderId, bidIndex, seed, signature.signer(),
                Numeric.toHexString(signature.bytes()));
        return add(signed);
    }

    /**
     * Verifies a peer's signature and keeps it.
     *
     * @return the signature as kept, with the recovered signer
     * @throws RejectedSignature when it is malformed, is not by the claimed signer, or the signer is no operator
     */
    public SignedMatch receive(SignedMatch claimed) {
        if (claimed.seed() == null || !claimed.seed().matches("0x[0-9a-fA-F]{64}")) {
            throw new RejectedSignature("seed must be 32 bytes of 0x-prefixed hex: " + claimed.seed());
        }
        if (claimed.signature() == null || !claimed.signature().matches("0x[0-9a-fA-F]{130}")) {
            throw new RejectedSignature("signature must be 65 bytes of 0x-prefixed hex");
        }
        byte[] digest;
        try {
            digest = digest(claimed.key());
        } catch (ChainException e) {
            if (ChainSession.isUnreachable(e)) {
                throw e;
            }
            throw new RejectedSignature("order " + claimed.orderId() + " has no bid " + claimed.bidIndex());
        }
        String signer;
        try {
            signer = MatchSignature.recover(digest, Numeric.hexStringToByteArray(claimed.signature()));
        } catch (IllegalArgumentException e) {
            throw new RejectedSignature(e.getMessage());
        }
        if (claimed.signer() != null && !claimed.signer().equalsIgnoreCase(signer)) {
            throw new RejectedSignature("signature was made by " + signer + ", not by " + claimed.signer());
        }
        if (!isOperator(signer)) {
            throw new RejectedSignature(signer + " is not a matchmaker operator on chain");
        }
        SignedMatch verified = new SignedMatch(claimed.orderId(), claimed.bidIndex(), claimed.seed(), signer,
                claimed.signature());
        return add(verified);
    }

    public boolean holdsOwn(MatchKey key) {
        return book.getOrDefault(key, Map.of()).containsKey(self.toLowerCase(Locale.ROOT));
    }

    /** Verified signatures for the match, sorted by signer address as the contract wants them. */
    public List<SignedMatch> signatures(MatchKey key) {
        List<SignedMatch> out = new ArrayList<>(book.getOrDefault(key, Map.of()).values());
        out.sort(Comparator.comparing(s -> Numeric.toBigInt(s.signer())));
        return out;
    }

    /** Every verified signature held for the order, whatever bid or seed it is for. */
    public List<SignedMatch> signaturesFor(long orderId) {
        List<SignedMatch> out = new ArrayList<>();
        book.forEach((key, bySigner) -> {
            if (key.orderId() == orderId) {
                out.addAll(bySigner.values());
            }
        });
        out.sort(Comparator.comparing((SignedMatch s) -> s.bidIndex()).thenComparing(s -> Numeric.toBigInt(s.signer())));
        return out;
    }

    /** Drops the order's signatures under any other seed: they can never be submitted once the seed moved on. */
    public void forgetOtherSeeds(long orderId, String seed) {
        book.keySet().removeIf(k -> k.orderId() == orderId && !k.seed().equalsIgnoreCase(seed));
    }

    public void forget(long orderId) {
        book.keySet().removeIf(k -> k.orderId() == orderId);
        digests.keySet().removeIf(k -> k.orderId() == orderId);
    }

    /** Keeps the first verified signature of each signer (a later one for the same match changes nothing); returns the kept one. */
    private SignedMatch add(SignedMatch signature) {
        SignedMatch held = book.computeIfAbsent(signature.key(), k -> new ConcurrentHashMap<>())
                .putIfAbsent(signature.signer().toLowerCase(Locale.ROOT), signature);
        return held == null ? signature : held;
    }

    private byte[] digest(MatchKey key) {
        return digests.computeIfAbsent(key, k -> chain.reader().matchDigest(k.orderId(), k.bidIndex(), k.seed()));
    }

    private boolean isOperator(String address) {
        return operators.computeIfAbsent(address.toLowerCase(Locale.ROOT), a -> chain.reader().isOperator(address));
    }

    /** A peer sent a signature that does not count. */
    public static final class RejectedSignature extends RuntimeException {
        public RejectedSignature(String message) {
            super(message);
        }
    }
}
