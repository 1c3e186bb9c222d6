package org.openspheron.cli;

import java.math.BigInteger;
import java.util.HashSet;
import java.util.Set;
import org.openspheron.chain.ProtocolFixture;
import org.openspheron.chain.ProviderClient;

/**
 * Plays the other side of the market for the CLI's tests: one provider bids on every new order and the
 * matchmakers' quorum matches it as soon as the bid window closes, all on the real chain.
 */
final class Market implements AutoCloseable {
    private final ProtocolFixture protocol;
    private final ProviderClient provider;
    private final BigInteger pricePerHour;
    private final Set<Long> handled = new HashSet<>();
    private final Thread thread;
    private volatile boolean running = true;
    volatile Throwable failure;

    Market(ProtocolFixture protocol, ProviderClient provider, BigInteger pricePerHour, Set<Long> ignore) {
        this.protocol = protocol;
        this.provider = provider;
        this.pricePerHour = pricePerHour;
        handled.addAll(ignore);
        thread = new Thread(this::run, "market");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            try {
                for (long orderId : protocol.reader().openOrderIds()) {
                    if (handled.add(orderId)) {
                        int bid = provider.submitBid(orderId, pricePerHour);
                        Thread.sleep(1500); // let the CLI (polling every 200 ms) see the bid before the window closes
                        protocol.closeBidWindow(orderId);
                        protocol.matchWithQuorum(orderId, bid, 2);
                    }
                }
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            } catch (Throwable t) {
                failure = t;
                return;
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(5000);
    }
}
