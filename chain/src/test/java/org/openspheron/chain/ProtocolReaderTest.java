package org.openspheron.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.openspheron.chain.ProtocolFixture.gpuOrder;
import static org.openspheron.chain.ProtocolFixture.tokens;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openspheron.chain.rpc.FlakyRpcEndpoint;

/**
 * The reader on a chain that holds what the current contracts would refuse: a chain deployed before DeploymentOrder
 * bounded the order spec keeps whatever an attacker stored then. Such state is forged into storage here, since no
 * transaction can create it any more.
 */
class ProtocolReaderTest {
    private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    @RegisterExtension
    static final ProtocolFixture protocol = ProtocolFixture.start();

    /**
     * Review attack 3: an order for memoryMb = 2^64-1 threw an ArithmeticException out of every read of it. The
     * reader reports that one order as unreadable, and reads every other order as before.
     */
    @Test
    void anOrderThatWouldStopEveryProviderFromBiddingIsReportedUnreadable() {
        TenantClient tenant = protocol.tenant(0);
        long hostile = tenant.createOrder(gpuOrder(1, "H100", "us-east", tokens(4)), BigInteger.ONE);
        long honest = tenant.createOrder(gpuOrder(1, "H100", "us-east", tokens(4)), tokens(10));
        protocol.forgeOrderMemoryMb(hostile, U64_MAX);
        ProtocolReader reader = protocol.reader();

        assertThat(reader.openOrderIds()).containsExactly(hostile, honest);
        UnreadableOrderException unreadable = catchThrowableOfType(UnreadableOrderException.class, () -> reader.order(hostile));
        assertThat(unreadable).hasMessageContaining("order " + hostile).hasMessageContaining("memoryMb");
        assertThat(unreadable.orderId()).isEqualTo(hostile);
        assertThat(reader.requireOrder(honest).spec()).isEqualTo(gpuOrder(1, "H100", "us-east", tokens(4)));
    }

    /** A value a {@code long} holds but the protocol's limits do not is just as unreadable: the rule is the limits. */
    @Test
    void anOrderPastTheLimitsIsUnreadableEvenWhenItFitsALong() {
        long orderId = protocol.tenant(0).createOrder(gpuOrder(1, "H100", "us-east", tokens(4)), BigInteger.ONE);
        protocol.forgeOrderMemoryMb(orderId, BigInteger.valueOf(OrderLimits.MAX_MEMORY_MB + 1));

        assertThat(catchThrowableOfType(UnreadableOrderException.class, () -> protocol.reader().order(orderId)))
                .hasMessageContaining("memoryMb " + (OrderLimits.MAX_MEMORY_MB + 1));
    }

    /**
     * {@code spheron orders} read a tenant's orders with one {@code eth_getLogs} from block 0 to the head, which a
     * public endpoint capping the range (QuickNode, Alchemy's free tier) refuses on any chain of some age. The read
     * is filtered to the tenant's own events and halves a range the node refuses.
     */
    @Test
    void aTenantsOrdersAreFoundThroughANodeThatRefusesLogRangesOfMoreThanEightBlocks() {
        TenantClient mine = protocol.tenant(1);
        long first = mine.createOrder(gpuOrder(1, "H100", "us-east", tokens(4)), tokens(10));
        protocol.tenant(2).createOrder(gpuOrder(1, "H100", "us-east", tokens(4)), tokens(10));
        protocol.chain().mine(30);
        long second = mine.createOrder(gpuOrder(2, "H100", "us-east", tokens(4)), tokens(10));
        long head = protocol.chain().blockNumber().longValueExact();
        String node = protocol.chain().rpcUrl();
        try (FlakyRpcEndpoint capped = FlakyRpcEndpoint.proxyTo(node);
                ChainConnection connection = ChainConnection.connect(capped.url(), protocol.addresses())) {
            capped.meanwhile(FlakyRpcEndpoint.capLogRanges(node, 8));
            ProtocolReader reader = new ProtocolReader(connection);

            assertThatThrownBy(() -> reader.events(0, head)).isInstanceOf(ChainException.class)
                    .hasMessageContaining("limited to a 8 range");
            assertThat(reader.ordersCreatedBy(mine.address(), 0, head)).containsExactly(first, second);
            assertThat(reader.ordersCreatedBy(protocol.tenant(3).address(), 0, head)).isEmpty();
            assertThat(capped.calls("eth_getLogs")).as("a range of " + (head + 1) + " blocks in halves")
                    .isGreaterThan((head + 1) / 8);
        }
    }
}
