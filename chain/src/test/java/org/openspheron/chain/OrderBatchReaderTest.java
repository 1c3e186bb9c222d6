package org.openspheron.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.chain.ProtocolFixture.gpuOrder;
import static org.openspheron.chain.ProtocolFixture.tokens;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openspheron.chain.rpc.FlakyRpcEndpoint;

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

    /**
     * Issue 13's target for the full read: the views of many orders go out as one deployless eth_call (ReadBatch's
     * creation code), so 30 orders with their specs and bids cost one call, not 90. Their answers (some 30 kB) are
     * more than a constructor may return as code (24,576 bytes), which is why ReadBatch answers by reverting.
     */
    @Test
    void theViewsOfManyOrdersAreReadInOneCall() {
        provider(0);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            ids.add(order());
            protocol.provider(0).submitBid(ids.get(i), tokens(4));
        }
        long before = protocol.connection().rpcStats().requests("eth_call");

        List<OrderBatchReader.OrderWithBids> read = new OrderBatchReader(reader, 100).openOrders(ids, e -> { });

        assertThat(protocol.connection().rpcStats().requests("eth_call") - before).isEqualTo(1);
        assertThat(read).extracting(r -> r.order().id()).containsExactlyElementsOf(ids);
        for (OrderBatchReader.OrderWithBids r : read) {
            assertThat(r.order()).isEqualTo(reader.requireOrder(r.order().id()));
            assertThat(r.bids()).isEqualTo(reader.bids(r.order().id())).hasSize(1);
        }
    }

    /** A node that refuses a contract creation in eth_call (or a gas cap it exceeds) gets batches of single calls. */
    @Test
    void aNodeThatRefusesTheOneCallReadIsReadInBatchesOfSingleCalls() {
        long first = order();
        long second = order();
        try (FlakyRpcEndpoint endpoint = FlakyRpcEndpoint.proxyTo(protocol.chain().rpcUrl());
             ChainConnection flaky = ChainConnection.connect(endpoint.url(), protocol.connection().addresses())) {
            OrderBatchReader batches = new OrderBatchReader(new ProtocolReader(flaky), 6);
            int connecting = endpoint.received().size();
            endpoint.then(FlakyRpcEndpoint.error(200, -32000, "contract creation is not supported in eth_call"));

            List<OrderBatchReader.OrderWithBids> read = batches.openOrders(List.of(first, second), e -> { });
            List<OrderBatchReader.OrderWithBids> again = batches.openOrders(List.of(first, second), e -> { });

            assertThat(read).extracting(r -> r.order().id()).containsExactly(first, second);
            assertThat(again).isEqualTo(read);
            assertThat(endpoint.received().subList(connecting, endpoint.received().size()))
                    .as("the refused call, then one batch of 6 calls per read")
                    .extracting(r -> r.methods().size()).containsExactly(1, 6, 6);
        }
    }

    /**
     * Review of issue 13's per-block reads: any error answer to a one-call read (a node's timeout of the moment, say;
     * rate limits are waited out by the transport) turned one-call reads off for good, and every later read cost a
     * call per view. Such an error now fails that read, which the caller repeats; the next read is one call again.
     */
    @Test
    void aOneCallReadThatTimedOutIsNotTakenForARefusal() {
        long first = order();
        try (FlakyRpcEndpoint endpoint = FlakyRpcEndpoint.proxyTo(protocol.chain().rpcUrl());
             ChainConnection flaky = ChainConnection.connect(endpoint.url(), protocol.connection().addresses())) {
            OrderBatchReader batches = new OrderBatchReader(new ProtocolReader(flaky), 6);
            int connecting = endpoint.received().size();
            endpoint.then(FlakyRpcEndpoint.error(200, -32000, "execution aborted (timeout = 5s)"));

            org.assertj.core.api.Assertions.assertThatThrownBy(() -> batches.openOrders(List.of(first), e -> { }))
                    .isInstanceOf(ChainException.class).hasMessageContaining("timeout = 5s");
            List<OrderBatchReader.OrderWithBids> read = batches.openOrders(List.of(first), e -> { });

            assertThat(read).extracting(r -> r.order().id()).containsExactly(first);
            assertThat(endpoint.received().subList(connecting, endpoint.received().size()))
                    .as("the call that timed out, then one call for the read").extracting(r -> r.methods().size())
                    .containsExactly(1, 1);
        }
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
