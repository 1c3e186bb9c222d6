package org.openspheron.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.chain.ProtocolFixture.order;
import static org.openspheron.chain.ProtocolFixture.tokens;
import static org.openspheron.chain.Reverts.assertReverts;

import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Leases and their escrow on a real anvil chain: confirmation, per-second payment, top-ups, closing by either
 * side or on expiry, and the report of a provider that never deployed.
 */
class EscrowTest {
    private static final List<GpuOffer> GPUS = List.of(new GpuOffer("H100", 4, 4));
    private static final BigInteger HOUR = BigInteger.valueOf(3600);
    @RegisterExtension
    static final ProtocolFixture protocol = ProtocolFixture.start();
    private ProviderClient provider;
    private TenantClient tenant;
    private BigInteger providerBalance;
    private BigInteger tenantBalance;

    @BeforeEach
    void freshState() {
        provider = protocol.registeredProvider(0, "us-east", "", GPUS);
        tenant = protocol.tenant(0);
        providerBalance = reader().tokenBalance(provider.address());
        tenantBalance = reader().tokenBalance(tenant.address());
    }

    private ProtocolReader reader() {
        return protocol.reader();
    }

    /** A lease of {@code deposit} at {@code price} per hour for {@code duration}, not yet confirmed. */
    private long lease(BigInteger price, BigInteger deposit, Duration duration) {
        return protocol.lease(tenant, provider, order(price, duration.toSeconds()), deposit, price);
    }

    private long confirmedLease(BigInteger price, BigInteger deposit, Duration duration) {
        long leaseId = lease(price, deposit, duration);
        provider.confirmDeployment(leaseId);
        return leaseId;
    }

    /**
     * The active-lease lists keep each lease's place in the lease's own record (no position word of their own):
     * closing a lease moves the list's last into its place, and the moved lease's recorded place must move with it,
     * or closing that lease later removes the wrong one, or reverts.
     */
    @Test
    void closingLeasesInAnyOrderLeavesEachPartyExactlyItsActiveLeases() {
        long first = confirmedLease(tokens(1), tokens(5), Duration.ofHours(4));
        long second = confirmedLease(tokens(1), tokens(5), Duration.ofHours(4));
        long third = lease(tokens(1), tokens(5), Duration.ofHours(4));
        long fourth = confirmedLease(tokens(1), tokens(5), Duration.ofHours(4));
        assertActiveLeases(first, second, third, fourth);

        tenant.closeLease(second);
        assertActiveLeases(first, third, fourth);
        tenant.closeLease(fourth);
        assertActiveLeases(first, third);
        provider.closeLease(first);
        assertActiveLeases(third);
        provider.closeLease(third);
        assertActiveLeases();
    }

    private void assertActiveLeases(Long... ids) {
        assertThat(reader().activeLeasesOf(provider.address())).containsExactlyInAnyOrder(ids);
        assertThat(reader().tenantLeasesOf(tenant.address())).containsExactlyInAnyOrder(ids);
    }

    /** What the provider received, counting what the contract holds for it to claim. */
    private BigInteger providerGot() {
        return reader().tokenBalance(provider.address()).subtract(providerBalance)
                .add(reader().claimable(provider.address()));
    }

    /** What the tenant paid, less what the contract holds for it to claim. */
    private BigInteger tenantSpent() {
        return tenantBalance.subtract(reader().tokenBalance(tenant.address()))
                .subtract(reader().claimable(tenant.address()));
    }

    /** The order contract holds exactly the escrow of active leases plus what it holds for parties to claim. */
    private BigInteger heldForClaims() {
        return reader().claimable(provider.address()).add(reader().claimable(tenant.address()));
    }

    private ProtocolEvent.LeaseClosed closedEvent(long leaseId) {
        return reader().events(0, reader().blockNumber()).stream()
                .filter(e -> e instanceof ProtocolEvent.LeaseClosed c && c.leaseId() == leaseId)
                .map(ProtocolEvent.LeaseClosed.class::cast)
                .findFirst().orElseThrow(() -> new AssertionError("no LEASE_CLOSED for lease " + leaseId));
    }

    /** Price for the confirmed seconds up to {@code until} (capped at the lease's end), as the contract computes it. */
    private static BigInteger owed(Lease lease, long until) {
        long end = Math.min(until, lease.endsAt());
        return lease.pricePerHour().multiply(BigInteger.valueOf(end - lease.confirmedAt())).divide(HOUR);
    }

    private long now() {
        return protocol.connection().latestTimestamp();
    }

    // ------------------------------------------------------------------ confirmDeployment

    @Test
    void confirmingStartsPaymentForTheOrdersDuration() {
        long leaseId = lease(tokens(3), tokens(20), Duration.ofHours(2));
        assertThat(reader().accrued(leaseId)).isZero();

        provider.confirmDeployment(leaseId);

        Lease lease = reader().requireLease(leaseId);
        assertThat(lease.confirmedAt()).isEqualTo(now());
        assertThat(lease.endsAt()).isEqualTo(lease.confirmedAt() + 7200);
        assertReverts("AlreadyConfirmed", () -> provider.confirmDeployment(leaseId));
    }

    @Test
    void onlyTheLeasesProviderConfirmsAndOnlyBeforeTheDeadline() {
        long leaseId = lease(tokens(3), tokens(20), Duration.ofHours(1));
        assertReverts("NotProvider", () -> protocol.registeredProvider(1, "us-east", "", GPUS).confirmDeployment(leaseId));
        assertReverts("UnknownLease", () -> provider.confirmDeployment(99));

        protocol.chain().increaseTime(Duration.ofSeconds(protocol.config().confirmWindowSeconds() + 1));
        assertReverts("ConfirmDeadlinePassed", () -> provider.confirmDeployment(leaseId));
        assertThat(reader().requireLease(leaseId).isConfirmed()).isFalse();
    }

    // ------------------------------------------------------------------ withdraw

    @Test
    void theProviderWithdrawsExactlyThePriceOfTheConfirmedSeconds() {
        long leaseId = confirmedLease(tokens(3), tokens(20), Duration.ofHours(4));
        protocol.chain().increaseTime(Duration.ofMinutes(40));

        BigInteger paid = provider.withdraw(leaseId);

        Lease lease = reader().requireLease(leaseId);
        assertThat(paid).isEqualTo(owed(lease, now())).isPositive();
        assertThat(lease.paid()).isEqualTo(paid);
        assertThat(lease.balance()).isEqualTo(tokens(20).subtract(paid));
        assertThat(lease.state()).isEqualTo(LeaseState.ACTIVE);
        assertThat(providerGot()).isEqualTo(paid);

        protocol.chain().increaseTime(Duration.ofMinutes(20));
        BigInteger second = provider.withdraw(leaseId);
        assertThat(paid.add(second)).isEqualTo(owed(reader().requireLease(leaseId), now()));
    }

    @Test
    void nothingIsWithdrawnBeforeConfirmationOrTwiceForTheSameTime() {
        long unconfirmed = lease(tokens(3), tokens(20), Duration.ofHours(1));
        assertReverts("NothingToWithdraw", () -> provider.withdraw(unconfirmed));
        provider.closeLease(unconfirmed);

        // One base unit per hour: a few seconds between two withdrawals accrue nothing.
        long leaseId = confirmedLease(BigInteger.ONE, tokens(1), Duration.ofHours(10));
        protocol.chain().increaseTime(Duration.ofHours(2));
        assertThat(provider.withdraw(leaseId)).isEqualTo(BigInteger.TWO);
        assertReverts("NothingToWithdraw", () -> provider.withdraw(leaseId));
        assertThat(reader().requireLease(leaseId).paid()).isEqualTo(BigInteger.TWO);
    }

    @Test
    void onlyTheProviderWithdraws() {
        long leaseId = confirmedLease(tokens(3), tokens(20), Duration.ofHours(1));
        protocol.chain().increaseTime(Duration.ofMinutes(10));
        TransactionSender asTenant = protocol.sender(protocol.tenantKey(0));
        assertReverts("NotProvider", () -> asTenant.send("withdraw",
                protocol.ordersContract(asTenant).withdraw(BigInteger.valueOf(leaseId))));
        assertThat(reader().requireLease(leaseId).paid()).isZero();
    }

    @Test
    void withdrawingTheLastOfTheEscrowClosesTheLease() {
        // Three tokens an hour on two tokens of escrow: used up after 40 minutes.
        long leaseId = confirmedLease(tokens(3), tokens(2), Duration.ofHours(4));
        protocol.chain().increaseTime(Duration.ofHours(1));

        assertThat(provider.withdraw(leaseId)).isEqualTo(tokens(2));

        Lease lease = reader().requireLease(leaseId);
        assertThat(lease.state()).isEqualTo(LeaseState.CLOSED);
        assertThat(lease.balance()).isZero();
        assertThat(closedEvent(leaseId).reason()).isEqualTo("FundsExhausted");
        assertThat(closedEvent(leaseId).refunded()).isZero();
        assertThat(providerGot()).isEqualTo(tokens(2));
        assertThat(tenantSpent()).isEqualTo(tokens(2));
        assertThat(reader().activeLeasesOf(provider.address())).isEmpty();
        assertThat(reader().provider(provider.address()).orElseThrow().leasesCompleted()).isEqualTo(1);
        assertThat(reader().provider(provider.address()).orElseThrow().servedSeconds())
                .as("reputation counts the 40 minutes the escrow paid for, not the hour the lease was left running")
                .isEqualTo(2400);
        assertReverts("LeaseNotActive", () -> provider.withdraw(leaseId));
    }

    /**
     * Attack 6 (reputation inflation): a provider that orders from itself, wins, confirms and closes at once used to
     * gain a completed lease for the price of gas. Reputation counts the service tenants paid for, so that adds
     * nothing; a lease that ran two hours adds two hours.
     */
    @Test
    void reputationInflationByConfirmingAndClosingAtOnceAddsNoServedTime() {
        long selfDealt = confirmedLease(tokens(3), tokens(20), Duration.ofHours(4));
        tenant.closeLease(selfDealt);
        Provider afterSelfDealing = reader().provider(provider.address()).orElseThrow();
        assertThat(afterSelfDealing.leasesCompleted()).isEqualTo(1);
        assertThat(afterSelfDealing.servedSeconds()).as("seconds between confirm and close, as mined").isLessThan(10);

        long real = confirmedLease(tokens(3), tokens(20), Duration.ofHours(2));
        protocol.chain().increaseTime(Duration.ofHours(3));
        provider.withdraw(real);
        assertThat(reader().provider(provider.address()).orElseThrow().servedSeconds() - afterSelfDealing.servedSeconds())
                .isEqualTo(7200);
    }

    @Test
    void withdrawingAfterTheDurationPaysTheWholeTermAndRefundsTheRest() {
        long leaseId = confirmedLease(tokens(3), tokens(20), Duration.ofHours(2));
        protocol.chain().increaseTime(Duration.ofHours(3));

        assertThat(provider.withdraw(leaseId)).isEqualTo(tokens(6));

        assertThat(reader().requireLease(leaseId).state()).isEqualTo(LeaseState.CLOSED);
        assertThat(closedEvent(leaseId).reason()).isEqualTo("DurationEnded");
        assertThat(closedEvent(leaseId).refunded()).isEqualTo(tokens(14));
        assertThat(tenantSpent()).isEqualTo(tokens(6));
        assertThat(providerGot()).isEqualTo(tokens(6));
    }

    // ------------------------------------------------------------------ topUp

    @Test
    void theTenantTopsUpTheEscrow() {
        long leaseId = confirmedLease(tokens(3), tokens(2), Duration.ofHours(4));
        tenant.topUp(leaseId, tokens(5));

        assertThat(reader().requireLease(leaseId).balance()).isEqualTo(tokens(7));
        assertThat(tenantSpent()).isEqualTo(tokens(7));
        assertThat(reader().tokenBalance(protocol.addresses().orders())).isEqualTo(tokens(7));
        // The top-up keeps the lease alive past where two tokens would have run out.
        protocol.chain().increaseTime(Duration.ofHours(1));
        provider.withdraw(leaseId);
        assertThat(reader().requireLease(leaseId).state()).isEqualTo(LeaseState.ACTIVE);
    }

    /**
     * Review attack 8: an escrow that ran dry left the lease active, and a later top-up paid the provider for the
     * hours it ran unfunded. The lease ended when its escrow ran out: it takes no top-up, and closing it pays
     * exactly the escrow.
     */
    @Test
    void aTopUpAfterTheEscrowRanDryDoesNotPayForTheUnfundedGap() {
        long leaseId = confirmedLease(tokens(3), tokens(3), Duration.ofHours(10));
        protocol.chain().increaseTime(Duration.ofHours(5)); // funded for 1 hour, ran 5

        assertReverts("EscrowExhausted", () -> tenant.topUp(leaseId, tokens(12)));
        provider.withdraw(leaseId);

        assertThat(providerGot()).isEqualTo(tokens(3));
        assertThat(tenantSpent()).isEqualTo(tokens(3));
        assertThat(reader().requireLease(leaseId).state()).isEqualTo(LeaseState.CLOSED);
        assertThat(closedEvent(leaseId).reason()).isEqualTo("FundsExhausted");
    }

    @Test
    void onlyTheTenantTopsUpANonZeroAmountOnAnActiveLease() {
        long leaseId = confirmedLease(tokens(3), tokens(2), Duration.ofHours(4));
        assertReverts("NotTenant", () -> protocol.tenant(1).topUp(leaseId, tokens(1)));
        assertReverts("ZeroAmount", () -> tenant.topUp(leaseId, BigInteger.ZERO));
        tenant.closeLease(leaseId);
        assertReverts("LeaseNotActive", () -> tenant.topUp(leaseId, tokens(1)));
        assertThat(reader().tokenBalance(protocol.addresses().orders())).isEqualTo(heldForClaims());
    }

    // ------------------------------------------------------------------ closeLease

    @Test
    void theTenantClosingPaysTheProviderWhatAccruedAndRefundsTheRest() {
        long leaseId = confirmedLease(tokens(3), tokens(20), Duration.ofHours(4));
        protocol.chain().increaseTime(Duration.ofMinutes(30));

        tenant.closeLease(leaseId);

        Lease lease = reader().requireLease(leaseId);
        ProtocolEvent.LeaseClosed closed = closedEvent(leaseId);
        assertThat(lease.state()).isEqualTo(LeaseState.CLOSED);
        assertThat(closed.reason()).isEqualTo("TenantClosed");
        assertThat(closed.paidToProvider()).isEqualTo(owed(lease, now())).isEqualTo(lease.paid()).isPositive();
        assertThat(closed.refunded()).isEqualTo(tokens(20).subtract(lease.paid()));
        assertThat(providerGot()).isEqualTo(lease.paid());
        assertThat(tenantSpent()).isEqualTo(lease.paid());
        assertThat(reader().tokenBalance(protocol.addresses().orders())).isEqualTo(heldForClaims());
        assertThat(reader().tenantLeasesOf(tenant.address())).isEmpty();
        assertReverts("LeaseNotActive", () -> tenant.closeLease(leaseId));
    }

    @Test
    void theProviderMayCloseAndAStrangerMayNot() {
        long leaseId = confirmedLease(tokens(3), tokens(20), Duration.ofHours(4));
        assertReverts("NotLeaseParty", () -> protocol.tenant(1).closeLease(leaseId));
        provider.closeLease(leaseId);
        assertThat(closedEvent(leaseId).reason()).isEqualTo("ProviderClosed");
        assertThat(reader().provider(provider.address()).orElseThrow().leasesCompleted()).isEqualTo(1);
    }

    /**
     * A tenant that ends an unconfirmed lease pays for the time it held the provider's capacity, so walking away
     * after the match (instead of sending a manifest) is not free; no completed lease is counted.
     */
    @Test
    void aTenantClosingBeforeConfirmationPaysForTheHeldTimeAndGetsTheRestBack() {
        long leaseId = lease(tokens(3), tokens(20), Duration.ofHours(4));
        protocol.chain().increaseTime(Duration.ofSeconds(300));

        tenant.closeLease(leaseId);

        BigInteger held = heldCharge(leaseId);
        assertThat(held).isGreaterThanOrEqualTo(tokens(3).multiply(BigInteger.valueOf(300)).divide(HOUR));
        assertThat(closedEvent(leaseId).reason()).isEqualTo("TenantClosed");
        assertThat(closedEvent(leaseId).paidToProvider()).isEqualTo(held);
        assertThat(providerGot()).isEqualTo(held);
        assertThat(tenantSpent()).isEqualTo(held);
        assertThat(reader().provider(provider.address()).orElseThrow().leasesCompleted()).isZero();
    }

    @Test
    void aProviderGivingUpAnUnconfirmedLeaseTakesNothing() {
        long leaseId = lease(tokens(3), tokens(20), Duration.ofHours(4));
        protocol.chain().increaseTime(Duration.ofSeconds(300));

        provider.closeLease(leaseId);

        assertThat(closedEvent(leaseId).reason()).isEqualTo("ProviderClosed");
        assertThat(providerGot()).isZero();
        assertThat(tenantSpent()).isZero();
        assertThat(reader().provider(provider.address()).orElseThrow().stake()).isEqualTo(protocol.config().minStake());
    }

    /** The price of the seconds between the lease's creation and its close, as the contract charges held capacity. */
    private BigInteger heldCharge(long leaseId) {
        Lease lease = reader().requireLease(leaseId);
        return lease.pricePerHour().multiply(BigInteger.valueOf(lease.endsAt() - lease.createdAt())).divide(HOUR);
    }

    // ------------------------------------------------------------------ attack: push payments

    /**
     * Review attack 7: closing paid provider and tenant in one transaction, so a token that refuses one of them (USDC
     * and USDT blacklist addresses) reverted the close and locked the other's money. A transaction now pays only its
     * sender; what it owes anyone else is held for them to claim.
     */
    @Test
    void aBlacklistedTenantCannotBlockTheProvidersPay() {
        long leaseId = confirmedLease(tokens(3), tokens(20), Duration.ofHours(4));
        protocol.chain().increaseTime(Duration.ofHours(1));
        protocol.blacklist(tenant.address(), true);

        provider.closeLease(leaseId);

        Lease lease = reader().requireLease(leaseId);
        assertThat(lease.state()).isEqualTo(LeaseState.CLOSED);
        assertThat(reader().tokenBalance(provider.address()).subtract(providerBalance)).isEqualTo(lease.paid());
        BigInteger refund = tokens(20).subtract(lease.paid());
        assertThat(reader().claimable(tenant.address())).isEqualTo(refund);
        // Still refused by the token, the tenant takes its refund out to another of its addresses.
        String elsewhere = protocol.chain().account(27).getAddress();
        BigInteger elsewhereBefore = reader().tokenBalance(elsewhere);
        assertThat(tenant.claim(elsewhere)).isEqualTo(refund);
        assertThat(reader().tokenBalance(elsewhere)).isEqualTo(elsewhereBefore.add(refund));
        assertThat(reader().claimable(tenant.address())).isZero();
        assertReverts("NothingToClaim", () -> tenant.claim(elsewhere));
        assertThat(reader().tokenBalance(protocol.addresses().orders())).isZero();
    }

    @Test
    void aBlacklistedProviderCannotBlockTheTenantsRefund() {
        long leaseId = confirmedLease(tokens(3), tokens(20), Duration.ofHours(4));
        protocol.chain().increaseTime(Duration.ofHours(1));
        protocol.blacklist(provider.address(), true);

        tenant.closeLease(leaseId);

        Lease lease = reader().requireLease(leaseId);
        assertThat(tenantBalance.subtract(reader().tokenBalance(tenant.address()))).isEqualTo(lease.paid());
        assertThat(reader().claimable(provider.address())).isEqualTo(lease.paid());
        assertReverts("Blacklisted", () -> provider.claim(provider.address()));
        protocol.blacklist(provider.address(), false);
        assertThat(provider.claim(provider.address())).isEqualTo(lease.paid());
        assertThat(providerGot()).isEqualTo(lease.paid());
    }

    /** A treasury the token refuses cannot stop a slash, and with it the tenant's report: slashes wait for a sweep. */
    @Test
    void aBlacklistedTreasuryCannotBlockASlash() throws Exception {
        long leaseId = lease(tokens(3), tokens(20), Duration.ofHours(4));
        String treasury = protocol.chain().account(ProtocolFixture.TREASURY).getAddress();
        protocol.blacklist(treasury, true);
        protocol.chain().increaseTime(Duration.ofSeconds(protocol.config().confirmWindowSeconds() + 1));

        tenant.reportUndeployed(leaseId);

        assertThat(reader().requireLease(leaseId).state()).isEqualTo(LeaseState.FAILED);
        assertThat(tenantSpent()).isZero();
        assertThat(reader().slashedUnswept()).isEqualTo(protocol.config().missedDeploymentSlash());
    }

    /**
     * Fee-on-transfer tokens (USDT has the switch): an escrow or stake is credited with what arrived, never with
     * what was sent, so the contracts always hold what they owe and every release succeeds.
     */
    @Test
    void aFeeOnTransferTokenIsCreditedWithWhatArrived() {
        protocol.transferFee(100); // 1%
        long leaseId = lease(tokens(3), tokens(20), Duration.ofHours(4));
        assertThat(reader().requireLease(leaseId).balance()).isEqualTo(tokens(20).multiply(BigInteger.valueOf(99)).divide(BigInteger.valueOf(100)));
        tenant.topUp(leaseId, tokens(10));
        assertThat(reader().requireLease(leaseId).balance()).isEqualTo(tokens(297).divide(BigInteger.TEN));
        assertThat(reader().tokenBalance(protocol.addresses().orders())).isEqualTo(reader().requireLease(leaseId).balance());
        provider.confirmDeployment(leaseId);
        protocol.chain().increaseTime(Duration.ofHours(1));

        tenant.closeLease(leaseId);

        assertThat(reader().tokenBalance(protocol.addresses().orders())).isEqualTo(heldForClaims());
        assertThat(provider.claim(provider.address())).isPositive();
        assertThat(reader().tokenBalance(protocol.addresses().orders())).isZero();
    }

    @Test
    void aStakeIsWhatArrived() {
        protocol.transferFee(100);
        ContractRevertException refused = assertReverts("StakeTooLow",
                () -> protocol.registeredProvider(1, "us-east", "", GPUS));
        assertThat(refused.arguments().get(0)).isEqualTo(protocol.config().minStake().multiply(BigInteger.valueOf(99)).divide(BigInteger.valueOf(100)));
    }

    // ------------------------------------------------------------------ attack: a tenant gets an honest provider slashed

    /**
     * Review attack 1: the only slash condition was "no confirmDeployment before the deadline", which the tenant
     * controls: it withholds the manifest, the provider cannot deploy, and after the deadline the tenant's report
     * refunded everything and slashed the provider. The provider now declines before the deadline: no slash, the
     * tenant's report has nothing left to report, and the tenant paid for the time it held the capacity.
     */
    @Test
    void aTenantWithholdingTheManifestCannotGetTheProviderSlashed() {
        long leaseId = lease(tokens(3), tokens(20), Duration.ofHours(4));
        protocol.chain().increaseTime(Duration.ofSeconds(protocol.config().confirmWindowSeconds() - 60));

        provider.declineLease(leaseId, DeclineReason.MANIFEST_NOT_RECEIVED);

        protocol.chain().increaseTime(Duration.ofSeconds(120));
        assertReverts("LeaseNotActive", () -> tenant.reportUndeployed(leaseId));
        Lease lease = reader().requireLease(leaseId);
        assertThat(lease.state()).isEqualTo(LeaseState.CLOSED);
        assertThat(closedEvent(leaseId).reason()).isEqualTo("ManifestNotReceived");
        Provider honest = reader().provider(provider.address()).orElseThrow();
        assertThat(honest.slashCount()).isZero();
        assertThat(honest.stake()).isEqualTo(protocol.config().minStake());
        assertThat(honest.leasesFailed()).isZero();
        BigInteger held = heldCharge(leaseId);
        assertThat(held).isGreaterThanOrEqualTo(
                tokens(3).multiply(BigInteger.valueOf(protocol.config().confirmWindowSeconds() - 60)).divide(HOUR));
        assertThat(providerGot()).isEqualTo(held);
        assertThat(tenantSpent()).isEqualTo(held);
        assertThat(reader().tokenBalance(protocol.addresses().orders())).isEqualTo(heldForClaims());
        // The stake that backed the unconfirmed lease is free again.
        provider.requestUnstake(protocol.config().minStake());
        protocol.chain().mine(protocol.config().unstakeCooldownBlocks());
        provider.withdrawStake();
    }

    @Test
    void aTenantWhoseWorkloadNeverRunsCannotGetTheProviderSlashed() {
        long leaseId = lease(tokens(3), tokens(20), Duration.ofHours(4));

        provider.declineLease(leaseId, DeclineReason.DEPLOYMENT_NOT_READY);

        assertThat(closedEvent(leaseId).reason()).isEqualTo("DeploymentNotReady");
        assertThat(reader().provider(provider.address()).orElseThrow().slashCount()).isZero();
    }

    @Test
    void onlyTheLeasesProviderDeclinesAnUnconfirmedLeaseBeforeItsDeadline() {
        long leaseId = lease(tokens(3), tokens(20), Duration.ofHours(4));
        assertReverts("NotProvider", () -> protocol.registeredProvider(1, "us-east", "", GPUS)
                .declineLease(leaseId, DeclineReason.MANIFEST_NOT_RECEIVED));

        protocol.chain().increaseTime(Duration.ofSeconds(protocol.config().confirmWindowSeconds() + 1));
        assertReverts("ConfirmDeadlinePassed", () -> provider.declineLease(leaseId, DeclineReason.DEPLOYMENT_NOT_READY));
        tenant.reportUndeployed(leaseId);
        assertMissedDeployment(leaseId);
    }

    @Test
    void aConfirmedLeaseCannotBeDeclined() {
        long leaseId = confirmedLease(tokens(3), tokens(20), Duration.ofHours(4));
        assertReverts("AlreadyConfirmed", () -> provider.declineLease(leaseId, DeclineReason.MANIFEST_NOT_RECEIVED));
    }

    // ------------------------------------------------------------------ closeExpired

    @Test
    void anyoneClosesALeaseWhoseDurationIsOver() {
        long leaseId = confirmedLease(tokens(3), tokens(20), Duration.ofHours(1));
        TenantClient stranger = protocol.tenant(3);
        assertReverts("LeaseNotExpired", () -> stranger.closeExpired(leaseId));

        protocol.chain().increaseTime(Duration.ofMinutes(61));
        stranger.closeExpired(leaseId);

        assertThat(closedEvent(leaseId).reason()).isEqualTo("DurationEnded");
        assertThat(providerGot()).isEqualTo(tokens(3));
        assertThat(tenantSpent()).isEqualTo(tokens(3));
    }

    @Test
    void anyoneClosesALeaseWhoseEscrowIsUsedUp() {
        long leaseId = confirmedLease(tokens(3), tokens(1), Duration.ofHours(4));
        protocol.chain().increaseTime(Duration.ofMinutes(30));
        protocol.tenant(3).closeExpired(leaseId);
        assertThat(closedEvent(leaseId).reason()).isEqualTo("FundsExhausted");
        assertThat(providerGot()).isEqualTo(tokens(1));
    }

    @Test
    void anUnconfirmedLeaseIsNotExpired() {
        long leaseId = lease(tokens(3), tokens(1), Duration.ofMinutes(1));
        protocol.chain().increaseTime(Duration.ofHours(2));
        assertReverts("LeaseNotExpired", () -> protocol.tenant(3).closeExpired(leaseId));
    }

    // ------------------------------------------------------------------ attack: overflow locks escrow

    /**
     * Review attack 9: pricePerHour x elapsed was unbounded, so a lease at a price of 2^250 made close, closeExpired
     * and withdraw all revert, and its escrow was locked for good. An order may offer at most MAX_PRICE_PER_HOUR, so
     * no bid can carry more.
     */
    @Test
    void aPriceThatWouldOverflowAndLockTheEscrowIsRefused() {
        BigInteger attackPrice = BigInteger.TWO.pow(250);
        ContractRevertException refused = assertReverts("OrderPriceAboveLimit",
                () -> tenant.createOrder(order(attackPrice, 3600), tokens(10)));
        assertThat(refused.arguments()).containsExactly(attackPrice, OrderLimits.MAX_PRICE_PER_HOUR);

        long orderId = tenant.createOrder(order(OrderLimits.MAX_PRICE_PER_HOUR, 3600), tokens(10));
        BigInteger aboveTheLimit = OrderLimits.MAX_PRICE_PER_HOUR.add(BigInteger.ONE);
        assertReverts("BidAboveMaxPrice", () -> provider.submitBid(orderId, aboveTheLimit));
        assertThat(reader().bids(orderId)).isEmpty();
    }

    /**
     * The other half of attack 9: at the largest price an order may offer, for the longest duration it may run, with
     * the largest escrow it may hold, every way out still pays: withdraw, close and closeExpired each succeed once the
     * whole duration is over, and every token deposited comes out again.
     */
    @Test
    void theLargestPriceForTheLongestDurationStillReleasesEveryToken() {
        BigInteger price = OrderLimits.MAX_PRICE_PER_HOUR;
        BigInteger escrow = OrderLimits.MAX_ESCROW;
        ProtocolDeployer.mint(protocol.connection(), protocol.owner(), tenant.address(), escrow.multiply(BigInteger.valueOf(3)));
        tenantBalance = reader().tokenBalance(tenant.address());
        Duration longest = Duration.ofSeconds(OrderLimits.MAX_DURATION_SECONDS);
        long withdrawn = confirmedLease(price, escrow, longest);
        long closed = confirmedLease(price, escrow, longest);
        long expired = confirmedLease(price, escrow, longest);
        assertReverts("EscrowAboveLimit", () -> tenant.topUp(closed, BigInteger.ONE));

        protocol.chain().increaseTime(longest.plusDays(1));
        provider.withdraw(withdrawn);
        tenant.closeLease(closed);
        protocol.tenant(3).closeExpired(expired);

        for (long leaseId : List.of(withdrawn, closed, expired)) {
            assertThat(reader().requireLease(leaseId).state()).isEqualTo(LeaseState.CLOSED);
        }
        BigInteger deposited = escrow.multiply(BigInteger.valueOf(3));
        BigInteger refunded = deposited.subtract(tenantSpent());
        assertThat(providerGot().add(refunded)).isEqualTo(deposited);
        assertThat(reader().tokenBalance(protocol.addresses().orders())).isEqualTo(heldForClaims());
    }

    // ------------------------------------------------------------------ reportUndeployed

    @Test
    void aProviderThatNeverConfirmsIsSlashedAndTheTenantRefunded() throws Exception {
        long leaseId = lease(tokens(3), tokens(20), Duration.ofHours(4));
        String treasury = protocol.chain().account(ProtocolFixture.TREASURY).getAddress();
        BigInteger treasuryBefore = reader().tokenBalance(treasury);
        assertReverts("ConfirmDeadlineNotPassed", () -> tenant.reportUndeployed(leaseId));

        protocol.chain().increaseTime(Duration.ofSeconds(protocol.config().confirmWindowSeconds() + 1));
        assertReverts("NotTenant", () -> protocol.tenant(1).reportUndeployed(leaseId));
        tenant.reportUndeployed(leaseId);

        Lease lease = reader().requireLease(leaseId);
        assertThat(lease.state()).isEqualTo(LeaseState.FAILED);
        assertThat(lease.balance()).isZero();
        assertThat(closedEvent(leaseId).reason()).isEqualTo("DeploymentMissed");
        assertThat(tenantSpent()).isZero();
        BigInteger slash = protocol.config().missedDeploymentSlash();
        Provider slashed = reader().provider(provider.address()).orElseThrow();
        assertThat(slashed.stake()).isEqualTo(protocol.config().minStake().subtract(slash));
        assertThat(slashed.leasesFailed()).isEqualTo(1);
        assertThat(slashed.slashCount()).isEqualTo(1);
        assertThat(slashed.totalSlashed()).isEqualTo(slash);
        assertThat(slashed.eligible()).isFalse();
        assertThat(reader().slashedUnswept()).isEqualTo(slash);
        protocol.registryContract(protocol.sender(protocol.chain().account(3))).sweepSlashed().send();
        assertThat(reader().slashedUnswept()).isZero();
        assertThat(reader().tokenBalance(treasury)).isEqualTo(treasuryBefore.add(slash));
        assertThat(reader().activeLeasesOf(provider.address())).isEmpty();
        assertReverts("LeaseNotActive", () -> provider.confirmDeployment(leaseId));
        assertReverts("LeaseNotActive", () -> tenant.reportUndeployed(leaseId));
    }

    /**
     * Review attack 2a: past the confirm deadline the provider closed its unconfirmed lease itself: no slash, no
     * failed lease recorded, and the tenant's reportUndeployed then reverted. Past the deadline, closing an
     * unconfirmed lease is the missed deployment it is, whoever closes it.
     */
    @Test
    void aProviderCannotEscapeItsSlashByClosingAfterTheConfirmDeadline() {
        long leaseId = lease(tokens(3), tokens(20), Duration.ofHours(4));
        protocol.chain().increaseTime(Duration.ofSeconds(protocol.config().confirmWindowSeconds() + 1));

        provider.closeLease(leaseId);

        assertMissedDeployment(leaseId);
        assertThat(closedEvent(leaseId).closedBy()).isEqualToIgnoringCase(provider.address());
    }

    @Test
    void theTenantClosingAnUnconfirmedLeaseAfterTheDeadlineReportsIt() {
        long leaseId = lease(tokens(3), tokens(20), Duration.ofHours(4));
        protocol.chain().increaseTime(Duration.ofSeconds(protocol.config().confirmWindowSeconds() + 1));

        tenant.closeLease(leaseId);

        assertMissedDeployment(leaseId);
    }

    /** The outcome of reportUndeployed: failed, all refunded, nothing paid, the provider slashed once. */
    private void assertMissedDeployment(long leaseId) {
        assertThat(reader().requireLease(leaseId).state()).isEqualTo(LeaseState.FAILED);
        assertThat(closedEvent(leaseId).reason()).isEqualTo("DeploymentMissed");
        assertThat(tenantSpent()).isZero();
        assertThat(providerGot()).isZero();
        Provider slashed = reader().provider(provider.address()).orElseThrow();
        assertThat(slashed.stake()).isEqualTo(protocol.config().minStake().subtract(protocol.config().missedDeploymentSlash()));
        assertThat(slashed.leasesFailed()).isEqualTo(1);
        assertThat(slashed.leasesCompleted()).isZero();
        assertThat(slashed.slashCount()).isEqualTo(1);
        assertThat(reader().activeLeasesOf(provider.address())).isEmpty();
        assertReverts("LeaseNotActive", () -> tenant.reportUndeployed(leaseId));
    }

    /**
     * Review attack 2b: the unstake cooldown (blocks) could end inside the confirm window (seconds): a provider won
     * a lease, unstaked and withdrew everything, then never deployed, and the tenant's report slashed nothing. Stake
     * that backs an unconfirmed lease is locked until the lease is settled.
     */
    @Test
    void aProviderCannotWithdrawTheStakeThatBacksAnUnconfirmedLease() {
        long leaseId = lease(tokens(3), tokens(20), Duration.ofHours(4));
        BigInteger stake = protocol.config().minStake();
        BigInteger slash = protocol.config().missedDeploymentSlash();
        provider.requestUnstake(stake);
        protocol.chain().mine(protocol.config().unstakeCooldownBlocks());

        ContractRevertException refused = assertReverts("StakeLocked", provider::withdrawStake);
        assertThat(refused.arguments()).containsExactly(slash, BigInteger.ZERO);

        protocol.chain().increaseTime(Duration.ofSeconds(protocol.config().confirmWindowSeconds() + 1));
        tenant.reportUndeployed(leaseId);
        Provider slashed = reader().provider(provider.address()).orElseThrow();
        assertThat(slashed.totalSlashed()).isEqualTo(slash);
        assertThat(slashed.stake()).isEqualTo(stake.subtract(slash));

        provider.withdrawStake();
        assertThat(reader().tokenBalance(provider.address())).isEqualTo(providerBalance.add(stake.subtract(slash)));
    }

    @Test
    void aConfirmedLeaseReleasesTheLockedStake() {
        long leaseId = lease(tokens(3), tokens(20), Duration.ofHours(4));
        provider.confirmDeployment(leaseId);
        BigInteger stake = protocol.config().minStake();
        provider.requestUnstake(stake);
        protocol.chain().mine(protocol.config().unstakeCooldownBlocks());

        provider.withdrawStake();

        assertThat(reader().provider(provider.address()).orElseThrow().stake()).isZero();
        assertThat(reader().tokenBalance(provider.address())).isEqualTo(providerBalance.add(stake));
    }

    @Test
    void aSlashDuringTheUnstakeCooldownComesOutOfThePendingWithdrawal() {
        long leaseId = lease(tokens(3), tokens(20), Duration.ofHours(4));
        BigInteger stake = protocol.config().minStake();
        provider.requestUnstake(stake);
        protocol.chain().increaseTime(Duration.ofSeconds(protocol.config().confirmWindowSeconds() + 1));
        tenant.reportUndeployed(leaseId);

        protocol.chain().mine(protocol.config().unstakeCooldownBlocks());
        provider.withdrawStake();

        BigInteger slash = protocol.config().missedDeploymentSlash();
        assertThat(reader().provider(provider.address()).orElseThrow().stake()).isZero();
        assertThat(reader().tokenBalance(provider.address())).isEqualTo(providerBalance.add(stake.subtract(slash)));
        assertThat(reader().tokenBalance(protocol.addresses().registry())).isEqualTo(reader().slashedUnswept());
    }

    @Test
    void aConfirmedLeaseCannotBeReported() {
        long leaseId = confirmedLease(tokens(3), tokens(20), Duration.ofHours(4));
        protocol.chain().increaseTime(Duration.ofSeconds(protocol.config().confirmWindowSeconds() + 1));
        assertReverts("AlreadyConfirmed", () -> tenant.reportUndeployed(leaseId));
        assertThat(reader().provider(provider.address()).orElseThrow().stake()).isEqualTo(protocol.config().minStake());
    }
}
