package org.openspheron.chain.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.LocalChain;

/** The newHeads subscription against a real anvil's WebSocket endpoint (the same port as its HTTP one). */
class HeadSubscriptionTest {
    private static LocalChain chain;

    @BeforeAll
    static void startChain() {
        chain = LocalChain.startDefault();
    }

    @AfterAll
    static void stopChain() {
        chain.close();
    }

    @Test
    void everyNewBlockIsAnnouncedAndWakesTheListener() throws Exception {
        AtomicInteger woken = new AtomicInteger();
        try (HeadSubscription heads = HeadSubscription.open(wsUrl(), HeadSubscription.STALE_AFTER)) {
            heads.onHead(woken::incrementAndGet);
            await(heads::live, "the subscription is live once a block arrives", () -> chain.mine(1));
            int before = woken.get();

            chain.mine(3);

            await(() -> heads.head().equals(OptionalLong.of(chain.blockNumber().longValueExact())), "the head is the chain's", () -> { });
            assertThat(woken.get() - before).isEqualTo(3);
            assertThat(heads.latest().orElseThrow().hash()).startsWith("0x").hasSize(66);
        }
    }

    @Test
    void aHeadOlderThanStaleAfterIsNotOfferedSoTheReaderPolls() throws Exception {
        try (HeadSubscription heads = HeadSubscription.open(wsUrl(), Duration.ofMillis(300))) {
            await(heads::live, "live", () -> chain.mine(1));
            Thread.sleep(400);

            assertThat(heads.head()).isEmpty();
            assertThat(heads.latest()).isPresent();
        }
    }

    @Test
    void anEndpointThatIsNotThereOffersNoHeadAndKeepsTrying() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        try (HeadSubscription heads = HeadSubscription.open("ws://127.0.0.1:" + port, HeadSubscription.STALE_AFTER)) {
            await(() -> heads.reconnects() >= 1, "a reconnect after the first failure", () -> { });
            assertThat(heads.live()).isFalse();
            assertThat(heads.head()).isEmpty();
        }
    }

    @Test
    void onlyWebSocketUrlsAreAccepted() {
        assertThatThrownBy(() -> HeadSubscription.open(chain.rpcUrl(), HeadSubscription.STALE_AFTER))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ws:// or wss://");
    }

    private static String wsUrl() {
        return chain.rpcUrl().replaceFirst("^http", "ws");
    }

    private static void await(BooleanSupplier condition, String what, Runnable meanwhile) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            meanwhile.run();
            Thread.sleep(50);
        }
    }
}
