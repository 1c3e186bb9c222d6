package org.openspheron.matchmaker.reconcile;

import java.util.Collection;
import java.util.Locale;
import org.web3j.crypto.Hash;

/**
 * Who of an order's signers sends its match first. Each operator's place comes from
 * {@code keccak256("<orderId>:<operator address>")}, lowest first, among the whole on-chain operator set: every
 * operator computes the same order without talking, the first place moves from order to order (so no operator pays
 * all the gas), and no two operators ever share a place, whichever signatures each holds yet. (Counting only the
 * signatures held let an operator that lacked the first's signature count itself first while the first did too.)
 * A signer whose predecessors are down sends once their turns have passed.
 */
final class SubmitOrder {
    private SubmitOrder() {
    }

    /** How many of {@code operators} come before {@code self} for {@code orderId}: 0 sends at once. */
    static int turnOf(long orderId, String self, Collection<String> operators) {
        String own = placeKey(orderId, self);
        int before = 0;
        for (String signer : operators.stream().map(s -> s.toLowerCase(Locale.ROOT)).distinct().toList()) {
            if (!signer.equalsIgnoreCase(self) && placeKey(orderId, signer).compareTo(own) < 0) {
                before++;
            }
        }
        return before;
    }

    /**
     * The head at which place {@code turn} of {@code places} sends, having held the quorum since {@code since}:
     * {@code blocksPerTurn} after each place before it, but the last turns come one block apart ending at
     * {@code lastChance}, so a deadline never brings every signer into the same block.
     */
    static long turnAt(long since, int turn, long blocksPerTurn, int places, long lastChance) {
        return Math.min(since + turn * blocksPerTurn, lastChance - (Math.max(places, turn + 1) - 1 - turn));
    }

    /** How many distinct operators {@code operators} names. */
    static int places(Collection<String> operators) {
        return (int) operators.stream().map(s -> s.toLowerCase(Locale.ROOT)).distinct().count();
    }

    static String ordinal(int turn) {
        return switch (turn) {
            case 0 -> "first";
            case 1 -> "second";
            case 2 -> "third";
            default -> (turn + 1) + "th";
        };
    }

    private static String placeKey(long orderId, String signer) {
        return Hash.sha3String(orderId + ":" + signer.toLowerCase(Locale.ROOT)).toLowerCase(Locale.ROOT);
    }
}
