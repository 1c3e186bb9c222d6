package org.openspheron.matchmaker.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.ChainException;

/** The loop outlives any failing pass: it logs it, retries it, and reports it until a pass works again. */
class ReconcileLoopTest {

    @Test
    void aPassThatThrowsAnErrorDoesNotStopTheLoop() throws Exception {
        // What a native image without a reflective constructor throws from deep inside a library.
        AtomicInteger calls = new AtomicInteger();
        ReconcileLoop loop = loop(woken -> {
            if (calls.incrementAndGet() <= 2) {
                throw new NoSuchMethodError("org.web3j.abi.datatypes.Uint.<init>(java.math.BigInteger)");
            }
        });
        try {
            loop.start();
            await(() -> calls.get() >= 4, "passes after the failing ones");
            assertThat(loop.failedPasses()).isZero();
            assertThat(loop.lastError()).isNull();
            assertThat(loop.reachable()).isTrue();
        } finally {
            loop.close();
        }
    }

    @Test
    void aPassThatKeepsFailingIsRetriedOnEveryPollAndReported() throws Exception {
        List<Boolean> woken = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger calls = new AtomicInteger();
        ReconcileLoop loop = loop(w -> {
            if (calls.incrementAndGet() == 1) {
                return; // the chain was reached once: later polls are not wake-ups
            }
            woken.add(w);
            throw new ChainException("openOrderIds failed: Unable to create instance of org.web3j.abi.datatypes.Uint");
        });
        try {
            loop.start();
            await(() -> loop.failedPasses() >= 5, "five failed passes");
            // Each retry runs as if woken: on a quiet chain (no new block) a pass that failed would otherwise wait
            // for the next block, which anvil mines only on a transaction.
            assertThat(List.copyOf(woken).subList(1, woken.size())).containsOnly(true);
            assertThat(loop.lastError()).contains("openOrderIds failed");
        } finally {
            loop.close();
        }
    }

    private static ReconcileLoop loop(ReconcileLoop.Pass pass) {
        return new ReconcileLoop(pass, "http://test", Duration.ofMillis(20), Duration.ofMillis(100), Clock.systemUTC());
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("timed out waiting for " + what);
    }
}
