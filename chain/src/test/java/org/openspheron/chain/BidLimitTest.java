package org.openspheron.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.chain.ProtocolFixture.gpuOrder;
import static org.openspheron.chain.ProtocolFixture.tokens;
import static org.openspheron.chain.Reverts.assertReverts;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

/**
 * An order takes at most {@code MAX_BIDS_PER_ORDER} (256) bids, so that matching it (which reads every bid) stays
 * within a block's gas whatever the number of providers: the 257th eligible provider is refused with TooManyBids.
 * A chain of its own, with 257 funded provider accounts beyond the shared fixture's.
 */
class BidLimitTest {
    private static final int MAX_BIDS = 256;

    @Test
    void the257thBidOnAnOrderIsRefusedWithTooManyBids() throws Exception {
        int first = ProtocolFixture.TREASURY + 1;
        LocalChain chain = LocalChain.builder().accounts(first + MAX_BIDS + 1).build().start();
        List<String> matchmakers = List.of(chain.account(1).getAddress(), chain.account(2).getAddress());
        // The bids are one block each (anvil mines every transaction): the window must outlast all of them.
        ProtocolConfig config = ProtocolConfig.local(matchmakers, 2).withBidWindowBlocks(MAX_BIDS + 50);
        try (ProtocolFixture protocol = ProtocolFixture.start(config, chain)) {
            List<ProviderClient> providers = new ArrayList<>();
            for (int i = 0; i <= MAX_BIDS; i++) {
                Credentials key = chain.account(first + i);
                ProtocolDeployer.mint(protocol.connection(), protocol.owner(), key.getAddress(), config.minStake());
                providers.add(new ProviderClient(protocol.connection(), key));
            }
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> registrations = new ArrayList<>();
                for (ProviderClient p : providers) {
                    registrations.add(pool.submit(() -> p.register("us-east", "", "https://gpu.example",
                            List.of(new GpuOffer("H100", 1, 1)), config.minStake())));
                }
                for (Future<?> f : registrations) {
                    f.get();
                }
                long orderId = protocol.tenant(0).createOrder(gpuOrder(1, "H100", "us-east", tokens(4)), tokens(20));
                List<Future<Integer>> bids = new ArrayList<>();
                for (ProviderClient p : providers.subList(0, MAX_BIDS)) {
                    bids.add(pool.submit(() -> p.submitBid(orderId, tokens(3))));
                }
                for (Future<Integer> f : bids) {
                    f.get();
                }
                assertThat(protocol.reader().bids(orderId)).hasSize(MAX_BIDS);
                assertThat(protocol.reader().requireOrder(orderId).bidWindowEnd())
                        .as("the window is still open: the refusal is the limit's, not the window's")
                        .isGreaterThan(protocol.reader().blockNumber());

                ContractRevertException refused = assertReverts("TooManyBids",
                        () -> providers.get(MAX_BIDS).submitBid(orderId, tokens(3)));
                assertThat(refused.getMessage()).contains(String.valueOf(orderId));
                assertThat(protocol.reader().bids(orderId)).hasSize(MAX_BIDS);
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
