package org.openspheron.chain.property;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.chain.ProtocolFixture.tokens;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.Generate.frequency;
import static org.quicktheories.generators.Generate.pick;
import static org.quicktheories.generators.Generate.range;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.lists;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.ContractRevertException;
import org.openspheron.chain.DeclineReason;
import org.openspheron.chain.GpuOffer;
import org.openspheron.chain.Lease;
import org.openspheron.chain.LocalChain;
import org.openspheron.chain.Order;
import org.openspheron.chain.ProtocolConfig;
import org.openspheron.chain.ProtocolFixture;
import org.openspheron.chain.ProtocolReader;
import org.openspheron.chain.ProviderClient;
import org.openspheron.chain.TenantClient;
import org.openspheron.chain.TransactionSender;
import org.openspheron.chain.property.EscrowLedger.Flows;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;

/**
 * Escrow is conserved: across random sequences of what tenants, providers and matchmakers do, for every order
 * paid to the provider + refunded to the tenant + still held = deposited + topped up, and the contracts hold
 * exactly what they owe (the order contract the escrow, the registry the stakes). One anvil chain; each try
 * starts from the same snapshot. A failure ends with "Seed was N"; {@code -DQT_SEED=N} replays the same sequences.
 */
class EscrowConservationPropertyTest {
    private static final int TENANTS = 3;
    /** Sequences per run, each of 21 to 61 steps: over a thousand operations against the contracts a run. */
    private static final int EXAMPLES = 33;
    private static final int PROVIDERS = 3;
    private static ProtocolFixture protocol;
    private static String baseline;

    private EscrowLedger ledger;
    private List<TenantClient> tenants;
    private List<ProviderClient> providers;
    private final List<Long> orders = new ArrayList<>();
    private final List<Long> leases = new ArrayList<>();
    private int refused;

    @BeforeAll
    static void startChain() {
        // A bid window of 40 blocks: every transaction mines a block, and sequences interleave several orders.
        LocalChain chain = LocalChain.startDefault();
        List<String> operators = List.of(chain.account(1).getAddress(), chain.account(2).getAddress(),
                chain.account(3).getAddress());
        protocol = ProtocolFixture.start(ProtocolConfig.local(operators, 2).withBidWindowBlocks(40), chain);
        // Twice the minimum stake, so a provider slashed once can still bid and be slashed again.
        for (int p = 0; p < PROVIDERS; p++) {
            protocol.registeredProvider(p, "us-east", "", List.of(new GpuOffer("H100", 8, 8)),
                    protocol.config().minStake().multiply(BigInteger.TWO));
        }
        baseline = protocol.snapshot();
    }

    @AfterAll
    static void stopChain() {
        protocol.close();
    }

    /** Back to the baseline before (not after) each try, so even a try that broke off leaves nothing behind. */
    private void freshChainAndClients() {
        protocol.revertTo(baseline);
        baseline = protocol.snapshot();
        tenants = new ArrayList<>();
        providers = new ArrayList<>();
        for (int i = 0; i < TENANTS; i++) {
            tenants.add(protocol.tenant(i));
        }
        for (int i = 0; i < PROVIDERS; i++) {
            providers.add(protocol.provider(i));
        }
        ledger = EscrowLedger.open(protocol, tenants.stream().map(TenantClient::address).toList(),
                providers.stream().map(ProviderClient::address).toList());
        orders.clear();
        leases.clear();
        refused = 0;
    }

    /**
     * EXAMPLES sequences: QuickTheories first tries the generator's boundaries (its smallest, simplest and largest
     * draws), the rest are random. After each, every party takes out what is held for it. Shrinking replays
     * sequences on the chain, a few seconds each, hence the cap.
     */
    @Test
    void escrowIsConservedAcrossAnySequenceOfOperations() {
        Tally tally = new Tally("escrowIsConservedAcrossAnySequenceOfOperations");
        qt().withExamples(EXAMPLES).withShrinkCycles(60).forAll(operations()).checkAssert(steps -> {
            freshChainAndClients();
            for (Step step : steps) {
                apply(step);
                ledger.assertConserved(step);
            }
            assertActiveLeaseListsAreTheActiveLeases();
            assertEveryoneCanGetOut();
            tally.count("leases created", Math.min(leases.size(), 3) + (leases.size() >= 3 ? "+" : ""));
            tally.count("provider paid", ledger.totals().paid().signum() > 0);
            tally.count("operations refused by the contract",
                    refused == 0 ? "none" : refused * 2 < steps.size() ? "under half" : "half or more");
        });
        tally.print();
    }

    /** The full path once on every run, so the ledger is known to see payments, top-ups, closes and slashes. */
    @Test
    void escrowIsConservedAlongTheMainPaths() {
        freshChainAndClients();
        List<Step> steps = List.of(
                new Create(0, 10, 4, 120, 0, 0), new Bid(0, 0, 75), new Create(1, 2, 5, 60, 0, 0), new Bid(0, 1, 100),
                new Create(2, 6, 3, 60, 0, 0), new Bid(0, 2, 100),
                new Match(2, 0), new Match(1, 0), new Match(0, 0), // leases of the first, second, third order
                new Confirm(2), new Confirm(1), new TopUp(2, 3), new Wait(30), new Withdraw(2), new Withdraw(1),
                new Wait(40), new Close(2, true), new Report(0),
                new Create(0, 3, 2, 60, 0, 0), new Cancel(0));
        for (Step step : steps) {
            apply(step);
            ledger.assertConserved(step);
            assertActiveLeaseListsAreTheActiveLeases();
        }
        Flows flows = ledger.totals();
        assertThat(flows.paid()).isPositive();
        assertThat(flows.refunded()).isPositive();
        assertThat(flows.toppedUp()).isEqualTo(tokens(3));
        ProtocolReader reader = protocol.reader();
        assertThat(reader.requireLease(leases.get(1)).state().name()).isEqualTo("CLOSED");
        assertThat(reader.requireLease(leases.get(2)).state().name()).isEqualTo("FAILED");
        assertThat(reader.requireOrder(orders.get(3)).state().name()).isEqualTo("CANCELLED");
        assertThat(refused).isZero();
    }

    // ------------------------------------------------------------------ the operations

    sealed interface Step permits Create, Bid, Mine, Wait, Match, Confirm, Withdraw, TopUp, Close, CloseExpired,
            Cancel, Report, Decline, Blacklist, Claim, Sweep {
    }

    /**
     * A tenant orders; {@code bidders} providers see it and bid at once, the first at {@code pricePercent} of the
     * maximum price, each next one 10 points lower.
     */
    record Create(int tenant, int depositTokens, int maxPriceTokens, int durationMinutes, int bidders, int pricePercent)
            implements Step {
    }

    /** A bid on a recent open order at {@code pricePercent} of its maximum price (above 100 is refused). */
    record Bid(int order, int provider, int pricePercent) implements Step {
    }

    record Mine(int blocks) implements Step {
    }

    record Wait(int minutes) implements Step {
    }

    /**
     * Matchmakers wait for the bid window of a recent open order with bids to close, then a quorum matches bid
     * {@code bid} of it.
     */
    record Match(int order, int bid) implements Step {
    }

    record Confirm(int lease) implements Step {
    }

    record Withdraw(int lease) implements Step {
    }

    record TopUp(int lease, int tokens) implements Step {
    }

    record Close(int lease, boolean byTenant) implements Step {
    }

    record CloseExpired(int lease) implements Step {
    }

    record Cancel(int order) implements Step {
    }

    record Report(int lease) implements Step {
    }

    /** The provider declines an unconfirmed lease for the tenant's failure (attack 1's watchdog). */
    record Decline(int lease, boolean manifestCame) implements Step {
    }

    /**
     * The token starts or stops refusing a party (tenants 0..2, providers 3..5), as USDC and USDT blacklist
     * addresses: the other parties' money must still move (attack 7, push payments).
     */
    record Blacklist(int party, boolean on) implements Step {
    }

    /** A party takes out what the order contract holds for it. */
    record Claim(int party) implements Step {
    }

    /** Anyone sends the collected slashes to the treasury. */
    record Sweep() implements Step {
    }

    /** Ranges are drawn uniformly (QuickTheories' random draws are): the middle of each range matters here. */
    private static Gen<List<Step>> operations() {
        Gen<Integer> pick = range(0, 3);
        Gen<Create> create = in -> new Create(range(0, TENANTS - 1).generate(in), range(1, 10).generate(in),
                range(1, 5).generate(in), range(10, 180).generate(in), range(0, PROVIDERS).generate(in),
                range(50, 110).generate(in));
        // Mine first: shrinking moves each step towards the first kind, so steps that do not matter become a block.
        Gen<Step> step = frequency(List.of(
                weighted(1, pick(List.of(1, 6, 25)).map(Mine::new)),
                weighted(4, create),
                weighted(2, pick.zip(range(0, PROVIDERS - 1), range(40, 110), Bid::new)),
                weighted(3, range(1, 120).map(Wait::new)),
                weighted(5, pick.zip(range(0, 2), Match::new)),
                weighted(3, pick.map(Confirm::new)),
                weighted(3, pick.map(Withdraw::new)),
                weighted(2, pick.zip(range(1, 5), TopUp::new)),
                weighted(2, pick.zip(booleans().all(), Close::new)),
                weighted(1, pick.map(CloseExpired::new)),
                weighted(1, pick.map(Cancel::new)),
                weighted(2, pick.map(Report::new)),
                weighted(1, pick.zip(booleans().all(), Decline::new)),
                weighted(1, range(0, TENANTS + PROVIDERS - 1).zip(booleans().all(), Blacklist::new)),
                weighted(2, range(0, TENANTS + PROVIDERS - 1).map(Claim::new)),
                weighted(1, in -> new Sweep())));
        // Every sequence opens with an order, so the steps after it have something to act on.
        return create.zip(lists().of(step).ofType(lists().arrayList()).ofSizeBetween(20, 60), (first, rest) -> {
            List<Step> steps = new ArrayList<>();
            steps.add(first);
            steps.addAll(rest);
            return steps;
        });
    }

    private static Pair<Integer, Gen<Step>> weighted(int weight, Gen<? extends Step> kind) {
        return Pair.of(weight, in -> kind.generate(in));
    }

    private void apply(Step step) {
        try {
            if (step instanceof Create c) {
                create(c);
            } else if (step instanceof Bid b) {
                recent(openOrders(false), b.order()).ifPresent(id -> bid(id, b));
            } else if (step instanceof Mine m) {
                protocol.chain().mine(m.blocks());
            } else if (step instanceof Wait w) {
                protocol.chain().increaseTime(Duration.ofMinutes(w.minutes()));
            } else if (step instanceof Match m) {
                recent(openOrders(true), m.order()).ifPresent(id -> match(id, m.bid()));
            } else if (step instanceof Confirm c) {
                lease(c.lease()).ifPresent(id -> providerOf(id).confirmDeployment(id));
            } else if (step instanceof Withdraw w) {
                lease(w.lease()).ifPresent(id -> providerOf(id).withdraw(id));
            } else if (step instanceof TopUp t) {
                lease(t.lease()).ifPresent(id -> topUp(id, tokens(t.tokens())));
            } else if (step instanceof Close c && c.byTenant()) {
                lease(c.lease()).ifPresent(id -> tenantOf(id).closeLease(id));
            } else if (step instanceof Close c) {
                lease(c.lease()).ifPresent(id -> providerOf(id).closeLease(id));
            } else if (step instanceof CloseExpired c) {
                lease(c.lease()).ifPresent(id -> tenants.get(0).closeExpired(id));
            } else if (step instanceof Cancel c) {
                order(c.order()).ifPresent(id -> tenantOfOrder(id).cancelOrder(id));
            } else if (step instanceof Report r) {
                lease(r.lease()).ifPresent(id -> tenantOf(id).reportUndeployed(id));
            } else if (step instanceof Blacklist b) {
                protocol.blacklist(partyAddress(b.party()), b.on());
            } else if (step instanceof Claim c) {
                claim(c.party());
            } else if (step instanceof Sweep) {
                TransactionSender anyone = protocol.sender(protocol.chain().account(ProtocolFixture.TREASURY));
                anyone.send("sweepSlashed", protocol.registryContract(anyone).sweepSlashed());
            } else if (step instanceof Decline d) {
                lease(d.lease()).ifPresent(id -> providerOf(id).declineLease(id, d.manifestCame()
                        ? DeclineReason.DEPLOYMENT_NOT_READY : DeclineReason.MANIFEST_NOT_RECEIVED));
            }
        } catch (ContractRevertException refusedByContract) {
            // An operation the protocol's rules refuse in this state: it must move nothing, which the ledger checks.
            refused++;
        }
    }

    /**
     * Each party's active-lease list (the contract keeps each lease's place in it in the lease's own record, and
     * swaps the last lease into a closed one's place) holds exactly the active leases it is tenant or provider of.
     */
    private void assertActiveLeaseListsAreTheActiveLeases() {
        ProtocolReader reader = protocol.reader();
        List<Lease> all = leases.stream().map(reader::requireLease).toList();
        for (TenantClient tenant : tenants) {
            assertThat(reader.tenantLeasesOf(tenant.address())).as("tenant %s's active leases", tenant.address())
                    .containsExactlyInAnyOrderElementsOf(all.stream()
                            .filter(l -> l.isActive() && l.tenant().equalsIgnoreCase(tenant.address()))
                            .map(Lease::id).toList());
        }
        for (ProviderClient provider : providers) {
            assertThat(reader.activeLeasesOf(provider.address())).as("provider %s's active leases", provider.address())
                    .containsExactlyInAnyOrderElementsOf(all.stream()
                            .filter(l -> l.isActive() && l.provider().equalsIgnoreCase(provider.address()))
                            .map(Lease::id).toList());
        }
    }

    private String partyAddress(int party) {
        return party < TENANTS ? tenants.get(party).address() : providers.get(party - TENANTS).address();
    }

    private void claim(int party) {
        if (party < TENANTS) {
            tenants.get(party).claim(tenants.get(party).address());
        } else {
            providers.get(party - TENANTS).claim(providers.get(party - TENANTS).address());
        }
    }

    /**
     * Nobody's money is stuck: once the token refuses no one, every party takes out everything the contract holds
     * for it, and the collected slashes reach the treasury.
     */
    private void assertEveryoneCanGetOut() {
        ProtocolReader reader = protocol.reader();
        for (int party = 0; party < TENANTS + PROVIDERS; party++) {
            protocol.blacklist(partyAddress(party), false);
        }
        for (int party = 0; party < TENANTS + PROVIDERS; party++) {
            if (reader.claimable(partyAddress(party)).signum() > 0) {
                claim(party);
            }
            assertThat(reader.claimable(partyAddress(party))).as("party %d's claimable after its claim", party).isZero();
        }
        if (reader.slashedUnswept().signum() > 0) {
            apply(new Sweep());
        }
        assertThat(reader.slashedUnswept()).isZero();
        ledger.assertConserved("everyone took out what was held for them");
    }

    private void create(Create c) {
        TenantClient tenant = tenants.get(c.tenant());
        long orderId = tenant.createOrder(ProtocolFixture.order(tokens(c.maxPriceTokens()), c.durationMinutes() * 60L),
                tokens(c.depositTokens()));
        orders.add(orderId);
        ledger.deposited(orderId, tokens(c.depositTokens()));
        for (int p = 0; p < c.bidders(); p++) {
            apply(new Bid(0, p, c.pricePercent() - 10 * p));
        }
    }

    private void bid(long orderId, Bid b) {
        BigInteger max = protocol.reader().requireOrder(orderId).spec().maxPricePerHour();
        providers.get(b.provider()).submitBid(orderId, max.multiply(BigInteger.valueOf(b.pricePercent())).divide(BigInteger.valueOf(100)));
    }

    /** Providers bid on, and matchmakers match, the orders they see open (with bids, for a match). */
    private List<Long> openOrders(boolean withBids) {
        ProtocolReader reader = protocol.reader();
        return orders.stream()
                .filter(id -> reader.requireOrder(id).isOpen() && (!withBids || !reader.bids(id).isEmpty()))
                .toList();
    }

    private void match(long orderId, int bid) {
        int bids = protocol.reader().bids(orderId).size();
        protocol.closeBidWindow(orderId);
        long leaseId = protocol.matchWithQuorum(orderId, bid % bids, protocol.config().threshold());
        leases.add(leaseId);
        ledger.leased(orderId, leaseId);
    }

    private void topUp(long leaseId, BigInteger amount) {
        tenantOf(leaseId).topUp(leaseId, amount);
        ledger.toppedUp(leaseId, amount);
    }

    /** The order created {@code back} orders ago (0 = the latest), so a sequence keeps working on recent orders. */
    private Optional<Long> order(int back) {
        return recent(orders, back);
    }

    private Optional<Long> lease(int back) {
        return recent(leases, back);
    }

    private static Optional<Long> recent(List<Long> ids, int back) {
        return ids.isEmpty() ? Optional.empty() : Optional.of(ids.get(ids.size() - 1 - back % ids.size()));
    }

    private TenantClient tenantOfOrder(long orderId) {
        Order order = protocol.reader().requireOrder(orderId);
        return tenants.stream().filter(t -> t.address().equalsIgnoreCase(order.tenant())).findFirst().orElseThrow();
    }

    private TenantClient tenantOf(long leaseId) {
        Lease lease = protocol.reader().requireLease(leaseId);
        return tenants.stream().filter(t -> t.address().equalsIgnoreCase(lease.tenant())).findFirst().orElseThrow();
    }

    private ProviderClient providerOf(long leaseId) {
        Lease lease = protocol.reader().requireLease(leaseId);
        return providers.stream().filter(p -> p.address().equalsIgnoreCase(lease.provider())).findFirst().orElseThrow();
    }
}
