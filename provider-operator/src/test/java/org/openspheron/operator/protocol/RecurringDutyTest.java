package org.openspheron.operator.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.ChainException;

class RecurringDutyTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void aDutyKeepsRetryingThroughAnOutageAndRunsOnAfterIt() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch recovered = new CountDownLatch(2);
        RecurringDuty duty = new RecurringDuty("test", Duration.ofMillis(20), Duration.ofMillis(40), scheduler, () -> {
            if (calls.incrementAndGet() <= 3) {
                throw new ChainException("cannot reach the chain at http://127.0.0.1:1");
            }
            recovered.countDown();
        });

        duty.start();

        assertThat(recovered.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(calls.get()).isGreaterThanOrEqualTo(5);
        assertThat(duty.failures()).isZero();
    }

    @Test
    void backoffDoublesUpToItsCeiling() {
        RecurringDuty duty = new RecurringDuty("test", Duration.ofMinutes(1), Duration.ofSeconds(5), scheduler, () -> {
            throw new ChainException("down");
        });
        Duration[] seen = new Duration[4];
        for (int i = 0; i < 4; i++) {
            duty.wake();
            waitForFailures(duty, i + 1);
            seen[i] = duty.backoff();
        }
        assertThat(seen).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(5));
    }

    /** An informer's first listing of 1,000 leases wakes the lease duty 1,000 times: that is one pass, not 1,000. */
    @Test
    void aBurstOfWakesWhileTheSchedulerIsBusyIsOnePass() throws Exception {
        AtomicInteger passes = new AtomicInteger();
        RecurringDuty duty = new RecurringDuty("test", Duration.ofMinutes(1), Duration.ofMinutes(1), scheduler, passes::incrementAndGet);
        CountDownLatch busy = new CountDownLatch(1);
        scheduler.execute(() -> {
            try {
                busy.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        for (int i = 0; i < 1_000; i++) {
            duty.wake();
        }
        busy.countDown();
        CountDownLatch drained = new CountDownLatch(1);
        scheduler.execute(drained::countDown);
        assertThat(drained.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(passes.get()).isEqualTo(1);

        duty.wake();
        CountDownLatch again = new CountDownLatch(1);
        scheduler.execute(again::countDown);
        assertThat(again.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(passes.get()).as("a wake after the pass started is another pass").isEqualTo(2);
    }

    private static void waitForFailures(RecurringDuty duty, int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (duty.failures() < n && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }
}
