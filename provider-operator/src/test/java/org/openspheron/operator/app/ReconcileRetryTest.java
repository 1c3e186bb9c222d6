package org.openspheron.operator.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.javaoperatorsdk.operator.processing.retry.RetryExecution;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReconcileRetryTest {
    @Test
    void aFailureIsRetriedForeverWithTheWaitDoublingUpToTheCap() {
        RetryExecution execution = ReconcileRetry.DEFAULT.retry().initExecution();
        List<Long> waits = new ArrayList<>();
        for (int attempt = 0; attempt < 50; attempt++) {
            waits.add(execution.nextDelay().orElseThrow(() -> new AssertionError("gave up")));
        }

        // JOSDK waits the initial interval twice before it starts doubling
        assertThat(waits.subList(0, 5)).containsExactly(2_000L, 2_000L, 4_000L, 8_000L, 16_000L);
        assertThat(waits).allMatch(w -> w <= Duration.ofMinutes(5).toMillis());
        assertThat(waits.get(49)).isEqualTo(Duration.ofMinutes(5).toMillis());
    }

    @Test
    void intervalsMustMakeSense() {
        assertThatThrownBy(() -> new ReconcileRetry(Duration.ofMinutes(5), Duration.ofSeconds(2), Duration.ofMinutes(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least initial");
        assertThatThrownBy(() -> new ReconcileRetry(Duration.ZERO, Duration.ofSeconds(2), Duration.ofMinutes(10)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
