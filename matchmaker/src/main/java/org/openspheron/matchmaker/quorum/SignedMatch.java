package org.openspheron.matchmaker.quorum;

/**
 * One operator's signature over the EIP-712 match digest of (orderId, bidIndex, seed), as exchanged between
 * operators. {@code signer} is what the sender claims; receivers trust only the address recovered from
 * {@code signature}.
 *
 * @param signature 65 bytes r||s||v as 0x-prefixed hex
 */
public record SignedMatch(long orderId, int bidIndex, String seed, String signer, String signature) {

    public MatchKey key() {
        return new MatchKey(orderId, bidIndex, seed.toLowerCase(java.util.Locale.ROOT));
    }

    /** What is signed: a bid of an order under a seed. */
    public record MatchKey(long orderId, int bidIndex, String seed) {
    }
}
