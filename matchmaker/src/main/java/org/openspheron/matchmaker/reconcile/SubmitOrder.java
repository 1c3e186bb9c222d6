package org.openspheron.matchmaker.reconcile;

import java.util.Collection;
import java.util.Locale;
import org.web3j.crypto.Hash;

/**
 * Who of an order's signers sends its match first. Each signer's place comes from
 * {@code keccak256("<orderId>:<signer address>")}, lowest first: every operator computes the same order without
 * talking, the first place moves from order to order (so no operator pays all the gas), and the relative order of
 * any two signers does not depend on which other signatures an operator holds yet. A signer whose predecessors did
 * not sign (they are down) moves up.
 */
final class SubmitOrder {
    private SubmitOrder() {
    }

    /** How many of {@code signers} come before {@code self} for {@code orderId}: 0 sends at once. */
    static int turnOf(long orderId, String self, Collection<String> signers) {
        String own = placeKey(orderId, self);
        int before = 0;
        for (String signer : signers.stream().map(s -> s.toLowerCase(Locale.ROOT)).distinct().toList()) {
            if (!signer.equalsIgnoreCase(self) && placeKey(orderId, signer).compareTo(own) < 0) {
                before++;
            }
        }
        return before;
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
