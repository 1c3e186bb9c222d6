package org.openspheron.matchmaker.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.chain.ProtocolFixture.gpuOrder;
import static org.openspheron.chain.ProtocolFixture.tokens;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.GpuOffer;
import org.openspheron.chain.LocalChain;
import org.openspheron.chain.ProtocolConfig;
import org.openspheron.chain.ProtocolFixture;
import org.openspheron.chain.ProtocolReader;

/** The RPC endpoint goes away in the middle of a match and comes back with the same chain. */
class ChainOutageTest {

    @Test
    void matchInterruptedByAnRpcOutageCompletesOnceTheChainIsBack() throws Exception {
        Path state = Files.createTempFile("anvil-state", ".json");
        Files.delete(state);
        LocalChain chain = LocalChain.builder().stateFile(state).build().start();
        List<String> operatorAddresses = List.of(LocalChain.devAccount(1).getAddress(),
                LocalChain.devAccount(2).getAddress(), LocalChain.devAccount(3).getAddress());
        List<ReconcileLoop> loops = new ArrayList<>();
        List<Operator> operators = new ArrayList<>();
        try (ProtocolFixture fixture = ProtocolFixture.start(ProtocolConfig.local(operatorAddresses, 2), chain)) {
            fixture.registeredProvider(0, "eu-west", "a", List.of(new GpuOffer("H100", 8, 8)));
            fixture.registeredProvider(1, "eu-west", "b", List.of(new GpuOffer("H100", 8, 8)));
            operators.addAll(Operator.quorumOf(fixture, 2, 0));
            long orderId = fixture.tenant(0).createOrder(gpuOrder(1, "H100", "eu-west", tokens(10)), tokens(100));
            fixture.provider(0).submitBid(orderId, tokens(5));
            fixture.provider(1).submitBid(orderId, tokens(4));
            fixture.closeBidWindow(orderId);

            // Operator 0 signs while its peer is away: the match is half done when the chain goes.
            operators.get(1).down = true;
            ReconcileLoop first = loop(operators.get(0), chain);
            loops.add(first.start());
            await(() -> operators.get(0).reconciler.decision(orderId)
                    .map(d -> d.status() == MatchStatus.SIGNING).orElse(false), "operator 0 signs");

            chain.stop();
            await(() -> !first.reachable(), "operator 0 notices the outage");
            assertThat(first.synced()).isFalse();
            Thread.sleep(1_500); // a few backoff rounds against a dead endpoint

            chain.start();
            operators.get(1).down = false;
            loops.add(loop(operators.get(1), chain).start());
            ProtocolReader reader = fixture.reader();
            await(() -> reader.requireOrder(orderId).leaseId() > 0, "the order is matched after the outage");
            await(first::reachable, "operator 0 reaches the chain again");

            long leases = java.util.stream.LongStream.rangeClosed(1, reader.leaseCount())
                    .filter(id -> reader.requireLease(id).orderId() == orderId).count();
            assertThat(leases).isEqualTo(1);
            // The submitter counts its match once the receipt is back, which can be a receipt poll after the lease
            // is visible; then further blocks must not bring a second submission.
            await(() -> submissions(operators) == 1, "the submitting operator counts its match");
            fixture.chain().mine(3);
            Thread.sleep(500);
            assertThat(submissions(operators)).isEqualTo(1);
        } finally {
            loops.forEach(ReconcileLoop::close);
            operators.forEach(Operator::close);
            Files.deleteIfExists(state);
        }
    }

    private static int submissions(List<Operator> operators) {
        return operators.stream().mapToInt(o -> o.events.submitted.get()).sum();
    }

    private static ReconcileLoop loop(Operator operator, LocalChain chain) {
        return new ReconcileLoop(operator.reconciler, chain.rpcUrl(), Duration.ofMillis(100), Duration.ofMillis(800),
                Clock.systemUTC());
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                // The chain may still be coming back.
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out waiting until " + what);
    }
}
