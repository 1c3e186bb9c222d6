package org.openspheron.chain.property;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openspheron.chain.Lease;
import org.openspheron.chain.Order;
import org.openspheron.chain.ProtocolFixture;
import org.openspheron.chain.ProtocolReader;
import org.openspheron.contracts.generated.DeploymentOrder;
import org.web3j.abi.EventEncoder;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;

/**
 * What tenants put into escrow, against what the chain says came out: the payment and refund events, the
 * escrow the contract still holds, and every account's token balance. Only deposits and top-ups are recorded
 * here (from calls that succeeded); everything else is read back from the chain.
 */
final class EscrowLedger {
    private final ProtocolFixture protocol;
    private final long fromBlock;
    private final Map<String, BigInteger> tenantStart = new LinkedHashMap<>();
    private final Map<String, BigInteger> providerStart = new LinkedHashMap<>();
    private final BigInteger treasuryStart;
    private final BigInteger slashedStart;
    private final BigInteger unsweptStart;
    private final Map<Long, BigInteger> deposited = new LinkedHashMap<>();
    private final Map<Long, BigInteger> toppedUp = new HashMap<>();
    private final Map<Long, Long> leaseOfOrder = new HashMap<>();

    /** Per order: what went in, what came out, and what is still held. */
    record Flows(BigInteger deposited, BigInteger toppedUp, BigInteger paid, BigInteger refunded, BigInteger held) {
        static final Flows NONE = new Flows(BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO);

        Flows plus(Flows o) {
            return new Flows(deposited.add(o.deposited), toppedUp.add(o.toppedUp), paid.add(o.paid),
                    refunded.add(o.refunded), held.add(o.held));
        }
    }

    private EscrowLedger(ProtocolFixture protocol, List<String> tenants, List<String> providers) {
        this.protocol = protocol;
        ProtocolReader reader = protocol.reader();
        this.fromBlock = reader.blockNumber() + 1;
        tenants.forEach(t -> tenantStart.put(t, reader.tokenBalance(t)));
        providers.forEach(p -> providerStart.put(p, reader.tokenBalance(p)));
        this.treasuryStart = reader.tokenBalance(treasury());
        this.unsweptStart = reader.slashedUnswept();
        this.slashedStart = providers.stream().map(p -> reader.provider(p).orElseThrow().totalSlashed())
                .reduce(BigInteger.ZERO, BigInteger::add);
    }

    static EscrowLedger open(ProtocolFixture protocol, List<String> tenants, List<String> providers) {
        return new EscrowLedger(protocol, tenants, providers);
    }

    void deposited(long orderId, BigInteger amount) {
        deposited.put(orderId, amount);
    }

    void leased(long orderId, long leaseId) {
        leaseOfOrder.put(orderId, leaseId);
    }

    void toppedUp(long leaseId, BigInteger amount) {
        toppedUp.merge(leaseId, amount, BigInteger::add);
    }

    /** Every flow, summed over all orders. */
    Flows totals() {
        Events events = events();
        return deposited.keySet().stream().map(id -> flows(id, events)).reduce(Flows.NONE, Flows::plus);
    }

    /** Checks every conservation law; {@code after} names the last operation for the failure message. */
    void assertConserved(Object after) {
        try {
            assertConserved();
        } catch (AssertionError e) {
            throw new AssertionError("after " + after + ": " + e.getMessage(), e);
        }
    }

    private void assertConserved() {
        ProtocolReader reader = protocol.reader();
        Events events = events();
        Flows total = Flows.NONE;
        for (long orderId : deposited.keySet()) {
            Flows f = flows(orderId, events);
            assertThat(f.paid().add(f.refunded()).add(f.held()))
                    .as("order %d: paid + refunded + held = deposited + topped up (%s)", orderId, f)
                    .isEqualTo(f.deposited().add(f.toppedUp()));
            Long leaseId = leaseOfOrder.get(orderId);
            if (leaseId != null) {
                assertThat(reader.requireLease(leaseId).paid()).as("lease %d: paid counter = payment events", leaseId)
                        .isEqualTo(f.paid());
            }
            total = total.plus(f);
        }
        // Money settled by someone else's transaction waits in the contract for its owner to claim (pull payments).
        BigInteger claimable = claimable(tenantStart.keySet()).add(claimable(providerStart.keySet()));
        assertThat(reader.tokenBalance(protocol.addresses().orders()))
                .as("order contract's tokens = escrow it holds + what it holds for parties to claim")
                .isEqualTo(total.held().add(claimable));

        BigInteger tenantsSpent = tenantStart.entrySet().stream()
                .map(e -> e.getValue().subtract(reader.tokenBalance(e.getKey())).subtract(reader.claimable(e.getKey())))
                .reduce(BigInteger.ZERO, BigInteger::add);
        assertThat(tenantsSpent).as("tenants' tokens out (less what they can claim) = deposited + topped up - refunded")
                .isEqualTo(total.deposited().add(total.toppedUp()).subtract(total.refunded()));
        BigInteger providersEarned = providerStart.entrySet().stream()
                .map(e -> reader.tokenBalance(e.getKey()).subtract(e.getValue()).add(reader.claimable(e.getKey())))
                .reduce(BigInteger.ZERO, BigInteger::add);
        assertThat(providersEarned).as("providers' tokens in (and to claim) = paid").isEqualTo(total.paid());

        BigInteger stakes = reader.providerAddresses().stream().map(p -> reader.provider(p).orElseThrow().stake())
                .reduce(BigInteger.ZERO, BigInteger::add);
        BigInteger unswept = reader.slashedUnswept();
        assertThat(reader.tokenBalance(protocol.addresses().registry())).as("registry's tokens = stakes + unswept slashes")
                .isEqualTo(stakes.add(unswept));
        BigInteger slashed = providerStart.keySet().stream().map(p -> reader.provider(p).orElseThrow().totalSlashed())
                .reduce(BigInteger.ZERO, BigInteger::add).subtract(slashedStart);
        assertThat(reader.tokenBalance(treasury()).subtract(treasuryStart).add(unswept).subtract(unsweptStart))
                .as("treasury's tokens in + unswept = slashed").isEqualTo(slashed);
    }

    private Flows flows(long orderId, Events events) {
        ProtocolReader reader = protocol.reader();
        Order order = reader.requireOrder(orderId);
        BigInteger held = order.deposit();
        BigInteger paid = BigInteger.ZERO;
        BigInteger refunded = events.cancelRefunds.getOrDefault(orderId, BigInteger.ZERO);
        BigInteger topped = BigInteger.ZERO;
        Long leaseId = leaseOfOrder.get(orderId);
        if (leaseId != null) {
            Lease lease = reader.requireLease(leaseId);
            held = held.add(lease.balance());
            paid = events.paid.getOrDefault(leaseId, BigInteger.ZERO);
            refunded = refunded.add(events.refunded.getOrDefault(leaseId, BigInteger.ZERO));
            topped = toppedUp.getOrDefault(leaseId, BigInteger.ZERO);
        }
        return new Flows(deposited.get(orderId), topped, paid, refunded, held);
    }

    /** Payments and refunds per order or lease, from the order contract's events since the ledger opened. */
    private record Events(Map<Long, BigInteger> cancelRefunds, Map<Long, BigInteger> paid, Map<Long, BigInteger> refunded) {
    }

    private Events events() {
        Events events = new Events(new HashMap<>(), new HashMap<>(), new HashMap<>());
        long latest = protocol.connection().blockNumber();
        if (latest < fromBlock) {
            return events;
        }
        EthFilter filter = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.valueOf(fromBlock)),
                DefaultBlockParameter.valueOf(BigInteger.valueOf(latest)), protocol.addresses().orders());
        EthLog logs;
        try {
            logs = protocol.connection().web3j().ethGetLogs(filter).send();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the order contract's logs", e);
        }
        if (logs.hasError()) {
            throw new IllegalStateException("eth_getLogs " + fromBlock + ".." + latest + " failed: " + logs.getError().getMessage());
        }
        String cancelled = EventEncoder.encode(DeploymentOrder.ORDER_CANCELLED_EVENT);
        String withdrawn = EventEncoder.encode(DeploymentOrder.PAYMENT_WITHDRAWN_EVENT);
        String closed = EventEncoder.encode(DeploymentOrder.LEASE_CLOSED_EVENT);
        for (EthLog.LogResult<?> result : logs.getLogs()) {
            Log log = (Log) result.get();
            String topic = log.getTopics().get(0);
            if (topic.equals(cancelled)) {
                var e = DeploymentOrder.getORDER_CANCELLEDEventFromLog(log);
                events.cancelRefunds.merge(e.orderId.longValueExact(), e.refund, BigInteger::add);
            } else if (topic.equals(withdrawn)) {
                var e = DeploymentOrder.getPAYMENT_WITHDRAWNEventFromLog(log);
                events.paid.merge(e.leaseId.longValueExact(), e.amount, BigInteger::add);
            } else if (topic.equals(closed)) {
                var e = DeploymentOrder.getLEASE_CLOSEDEventFromLog(log);
                events.paid.merge(e.leaseId.longValueExact(), e.paidToProvider, BigInteger::add);
                events.refunded.merge(e.leaseId.longValueExact(), e.refunded, BigInteger::add);
            }
        }
        return events;
    }

    private BigInteger claimable(java.util.Set<String> accounts) {
        return accounts.stream().map(protocol.reader()::claimable).reduce(BigInteger.ZERO, BigInteger::add);
    }

    private String treasury() {
        return protocol.chain().account(ProtocolFixture.TREASURY).getAddress();
    }
}
