package org.openspheron.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.chain.ProtocolFixture.gpuOrder;
import static org.openspheron.chain.ProtocolFixture.tokens;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Orders and bids read in batches are the same as read one call at a time. */
class OrderBatchReaderTest {
    @RegisterExtension
    static final ProtocolFixture protocol = ProtocolFixture.start();

    private final ProtocolReader reader = protocol.reader();

    @Test
    void anOrderWithMoreBidsThanAPageIsReadPageByPage() {
        List<ProviderClient> providers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            providers.add(provider(i));
        }
        long many = order();
        for (ProviderClient p : providers) {
            p.submitBid(many, tokens(4));
        }
        long one = order();
        providers.get(0).submitBid(one, tokens(3));

        List<OrderBatchReader.OrderWithBids> read = new OrderBatchReader(reader, 4, 2)
                .openOrders(List.of(many, one), e -> { });

        assertThat(read).extracting(r -> r.order().id()).containsExactly(many, one);
        assertThat(read.get(0).bids()).as("pages of 2, 1").isEqualTo(reader.bids(many)).hasSize(3);
        assertThat(read.get(1).bids()).isEqualTo(reader.bids(one)).hasSize(1);
        assertThat(read.get(0).order()).isEqualTo(reader.requireOrder(many));
    }

    @Test
    void anIdWithoutAnOpenOrderIsLeftOut() {
        long cancelled = order();
        long open = order();
        protocol.tenant(0).cancelOrder(cancelled);
        List<Long> passedOver = new ArrayList<>();

        List<OrderBatchReader.OrderWithBids> read = new OrderBatchReader(reader, 100)
                .openOrders(List.of(cancelled, open, 999_999L), e -> passedOver.add(e.orderId()));

        assertThat(read).extracting(r -> r.order().id()).containsExactly(open);
        assertThat(passedOver).isEmpty();
    }

    private long order() {
        return protocol.tenant(0).createOrder(gpuOrder(1, "H100", "eu-west", tokens(10)), tokens(20));
    }

    private ProviderClient provider(int i) {
        ProviderClient p = protocol.provider(i);
        if (reader.provider(p.address()).isEmpty()) {
            return protocol.registeredProvider(i, "eu-west", "a", List.of(new GpuOffer("H100", 8, 8)));
        }
        return p;
    }
}
