package org.openspheron.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.chain.ProtocolFixture.gpuOrder;
import static org.openspheron.chain.ProtocolFixture.tokens;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

/**
 * Attack 4 (bid-cap griefing): orders used to take at most 256 bids, so 256 sock-puppet providers at the minimum
 * stake (which they get back) could bid first on every order and lock every honest provider out. An order has no
 * cap now (the contract never loops over bids; matching reads only the winner), so the honest provider bids after
 * 300 puppets and wins. A chain of its own, with the puppets' funded accounts beyond the shared fixture's.
 */
class BidSpamTest {
    private static final int PUPPETS = 300;

    @Test
    void bidCapGriefingCannotKeepAnHonestProviderOut() throws Exception {
        int first = ProtocolFixture.TREASURY + 1;
        LocalChain chain = LocalChain.builder().accounts(first + PUPPETS + 1).build().start();
        List<String> matchmakers = List.of(chain.account(1).getAddress(), chain.account(2).getAddress());
        // The bids are one block each (anvil mines every transaction): the window must outlast all of them.
        ProtocolConfig config = ProtocolConfig.local(matchmakers, 2).withBidWindowBlocks(PUPPETS + 50);
        try (ProtocolFixture protocol = ProtocolFixture.start(config, chain)) {
            List<ProviderClient> providers = new ArrayList<>();
            for (int i = 0; i <= PUPPETS; i++) {
                Credentials key = chain.account(first + i);
                ProtocolDeployer.mint(protocol.connection(), protocol.owner(), key.getAddress(), config.minStake());
                providers.add(new ProviderClient(protocol.connection(), key));
            }
            ProviderClient honest = providers.get(PUPPETS);
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
                for (ProviderClient p : providers.subList(0, PUPPETS)) {
                    bids.add(pool.submit(() -> p.submitBid(orderId, BigInteger.ONE)));
                }
                for (Future<Integer> f : bids) {
                    f.get();
                }

                int honestBid = honest.submitBid(orderId, tokens(3));

                assertThat(honestBid).isEqualTo(PUPPETS);
                List<Bid> all = protocol.reader().bids(orderId);
                assertThat(all).hasSize(PUPPETS + 1);
                assertThat(all.get(PUPPETS).provider()).isEqualToIgnoringCase(honest.address());
                assertThat(protocol.reader().bids(orderId, 64)).as("read in pages of 64, the same bids in the same order")
                        .isEqualTo(all);
                protocol.closeBidWindow(orderId);
                long leaseId = protocol.matchWithQuorum(orderId, honestBid, 2);
                assertThat(protocol.reader().requireLease(leaseId).provider()).isEqualToIgnoringCase(honest.address());
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
