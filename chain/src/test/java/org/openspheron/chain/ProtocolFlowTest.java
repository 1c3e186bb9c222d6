package org.openspheron.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.openspheron.chain.ProtocolFixture.gpuOrder;
import static org.openspheron.chain.ProtocolFixture.tokens;

import io.reactivex.disposables.Disposable;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The protocol's main path on a real anvil chain, through the generated wrappers and the clients. */
class ProtocolFlowTest {
    @RegisterExtension
    static final ProtocolFixture protocol = ProtocolFixture.start();

    @Test
    void orderCreatedIsDeliveredThroughAnEventSubscription() throws Exception {
        ProtocolReader reader = protocol.reader();
        List<ProtocolEvent> seen = new CopyOnWriteArrayList<>();
        long from = reader.blockNumber();
        Disposable subscription = reader.subscribe(from, seen::add, Throwable::printStackTrace);
        try {
            long orderId = protocol.tenant(0).createOrder(gpuOrder(1, "H100", "us-east", tokens(3)), tokens(10));

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (seen.stream().noneMatch(e -> e instanceof ProtocolEvent.OrderCreated) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(seen).filteredOn(e -> e instanceof ProtocolEvent.OrderCreated)
                    .singleElement()
                    .satisfies(e -> {
                        var created = (ProtocolEvent.OrderCreated) e;
                        assertThat(created.orderId()).isEqualTo(orderId);
                        assertThat(created.tenant()).isEqualToIgnoringCase(protocol.tenantKey(0).getAddress());
                        assertThat(created.gpuModel()).isEqualTo("H100");
                        assertThat(created.gpuCount()).isEqualTo(1);
                        assertThat(created.deposit()).isEqualTo(tokens(10));
                    });
        } finally {
            subscription.dispose();
        }
    }

    @Test
    void aQuorumMatchCreatesTheLeaseAndEscrowPaysTheProviderAndRefundsTheTenant() {
        ProtocolReader reader = protocol.reader();
        ProviderClient provider = protocol.registeredProvider(0, "us-east", "us-east-1a", List.of(new GpuOffer("H100", 2, 2)));
        TenantClient tenant = protocol.tenant(1);
        BigInteger tenantBefore = reader.tokenBalance(tenant.address());
        BigInteger providerBefore = reader.tokenBalance(provider.address());

        long orderId = tenant.createOrder(gpuOrder(1, "H100", "us-east", tokens(4)), tokens(20));
        int bid = provider.submitBid(orderId, tokens(3));
        protocol.closeBidWindow(orderId);
        long leaseId = protocol.matchWithQuorum(orderId, bid, 2);

        Lease lease = reader.requireLease(leaseId);
        assertThat(lease.provider()).isEqualToIgnoringCase(provider.address());
        assertThat(lease.pricePerHour()).isEqualTo(tokens(3));
        assertThat(lease.balance()).isEqualTo(tokens(20));
        assertThat(reader.requireOrder(orderId).state()).isEqualTo(OrderState.MATCHED);
        assertThat(reader.activeLeasesOf(provider.address())).containsExactly(leaseId);

        provider.confirmDeployment(leaseId);
        protocol.chain().increaseTime(Duration.ofMinutes(30));
        BigInteger paid = provider.withdraw(leaseId);
        assertThat(paid).isBetween(tokens(3).divide(BigInteger.TWO), tokens(3).divide(BigInteger.TWO).add(tokens(1)));

        tenant.closeLease(leaseId);
        Lease closed = reader.requireLease(leaseId);
        assertThat(closed.state()).isEqualTo(LeaseState.CLOSED);
        // What accrued between the withdrawal and the tenant's close (a second or more on a loaded machine) is held
        // for the provider to claim: pull payments, the tenant's transaction pays nobody else.
        if (reader.claimable(provider.address()).signum() > 0) {
            provider.claim(provider.address());
        }
        BigInteger providerGot = reader.tokenBalance(provider.address()).subtract(providerBefore);
        BigInteger tenantSpent = tenantBefore.subtract(reader.tokenBalance(tenant.address()));
        assertThat(providerGot).isEqualTo(closed.paid());
        assertThat(tenantSpent).isEqualTo(closed.paid());
        assertThat(reader.provider(provider.address()).orElseThrow().leasesCompleted()).isEqualTo(1);
    }

    @Test
    void aMatchWithoutQuorumIsRefusedWithTheContractsError() {
        ProviderClient provider = protocol.registeredProvider(1, "eu-west", "", List.of(new GpuOffer("A100", 4, 4)));
        long orderId = protocol.tenant(2).createOrder(gpuOrder(2, "A100", "eu-west", tokens(5)), tokens(10));
        int bid = provider.submitBid(orderId, tokens(4));
        protocol.closeBidWindow(orderId);

        assertThatThrownBy(() -> protocol.matchWithQuorum(orderId, bid, 1))
                .isInstanceOfSatisfying(ContractRevertException.class,
                        e -> assertThat(e.errorName()).isEqualTo("QuorumNotReached"))
                .hasMessageContaining("matchOrder(order " + orderId)
                .hasMessageContaining("signatures=1, threshold=2");
        assertThat(protocol.reader().requireOrder(orderId).state()).isEqualTo(OrderState.OPEN);
    }
}
