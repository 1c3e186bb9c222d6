package org.openspheron.matchmaker.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class SubmitOrderTest {
    private static final List<String> SIGNERS = List.of("0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
            "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", "0x90F79bf6EB2c4f870365E785982E1f101E93b906");

    @Test
    void everySignerHasItsOwnPlaceAndExactlyOneIsFirst() {
        for (long orderId = 1; orderId <= 50; orderId++) {
            long id = orderId;
            Set<Integer> turns = SIGNERS.stream().map(s -> SubmitOrder.turnOf(id, s, SIGNERS)).collect(Collectors.toSet());
            assertThat(turns).containsExactlyInAnyOrder(0, 1, 2);
        }
    }

    @Test
    void twoSignersKeepTheirOrderWhateverOtherSignaturesAreHeld() {
        for (long orderId = 1; orderId <= 50; orderId++) {
            String a = SIGNERS.get(0);
            String b = SIGNERS.get(1);
            boolean aBeforeB = SubmitOrder.turnOf(orderId, a, List.of(a, b)) == 0;
            assertThat(SubmitOrder.turnOf(orderId, a, SIGNERS) < SubmitOrder.turnOf(orderId, b, SIGNERS)).isEqualTo(aBeforeB);
        }
    }

    @Test
    void theFirstPlaceMovesBetweenOperatorsFromOrderToOrder() {
        Set<String> firsts = new HashSet<>();
        LongStream.rangeClosed(1, 30).forEach(id -> SIGNERS.stream()
                .filter(s -> SubmitOrder.turnOf(id, s, SIGNERS) == 0).forEach(firsts::add));
        assertThat(firsts).hasSize(3);
    }

    @Test
    void nearTheDeadlineTheTurnsComeOneBlockApartAndNeverTogether() {
        // Far from the deadline: 3 blocks per place.
        assertThat(LongStream.range(0, 5).map(t -> SubmitOrder.turnAt(100, (int) t, 3, 5, 200)).toArray())
                .containsExactly(100, 103, 106, 109, 112);
        // The deadline's last chance at 110: the later places compress to one block apart, ending there.
        assertThat(LongStream.range(0, 5).map(t -> SubmitOrder.turnAt(100, (int) t, 3, 5, 110)).toArray())
                .containsExactly(100, 103, 106, 109, 110);
        // Held late: every place one block apart up to the last chance, in order, no two together.
        assertThat(LongStream.range(0, 5).map(t -> SubmitOrder.turnAt(108, (int) t, 3, 5, 110)).toArray())
                .containsExactly(106, 107, 108, 109, 110);
    }

    @Test
    void addressCaseAndRepeatedSignaturesDoNotChangeTheTurn() {
        String self = SIGNERS.get(2);
        List<String> noisy = List.of(SIGNERS.get(0).toLowerCase(), SIGNERS.get(0).toUpperCase().replace("0X", "0x"),
                SIGNERS.get(1), self.toLowerCase());
        for (long orderId = 1; orderId <= 20; orderId++) {
            assertThat(SubmitOrder.turnOf(orderId, self, noisy)).isEqualTo(SubmitOrder.turnOf(orderId, self, SIGNERS));
        }
    }
}
