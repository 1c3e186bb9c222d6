package org.openspheron.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.chain.ProtocolFixture.tokens;
import static org.openspheron.chain.Reverts.assertReverts;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The provider registry on a real anvil chain: registration, stake, cooldown, heartbeats and who may slash. */
class ProviderRegistryTest {
    private static final List<GpuOffer> GPUS = List.of(new GpuOffer("H100", 8, 6), new GpuOffer("A100", 4, 4));
    @RegisterExtension
    static final ProtocolFixture protocol = ProtocolFixture.start();

    private ProtocolReader reader() {
        return protocol.reader();
    }

    private BigInteger minStake() {
        return protocol.config().minStake();
    }

    @Test
    void registeringStoresTheProfileAndPullsTheStake() {
        ProviderClient provider = protocol.provider(0);
        BigInteger before = reader().tokenBalance(provider.address());

        provider.register("us-east", "us-east-1a", "https://gpu.example:8443", GPUS, tokens(150));

        Provider p = reader().provider(provider.address()).orElseThrow();
        assertThat(p.region()).isEqualTo("us-east");
        assertThat(p.zone()).isEqualTo("us-east-1a");
        assertThat(p.gatewayUrl()).isEqualTo("https://gpu.example:8443");
        assertThat(p.gpus()).containsExactlyElementsOf(GPUS);
        assertThat(p.stake()).isEqualTo(tokens(150));
        assertThat(p.eligible()).isTrue();
        assertThat(reader().tokenBalance(provider.address())).isEqualTo(before.subtract(tokens(150)));
        assertThat(reader().tokenBalance(protocol.addresses().registry())).isEqualTo(tokens(150));
        assertThat(reader().providerAddresses()).containsExactly(provider.address());
    }

    @Test
    void registeringTwiceIsRefused() {
        ProviderClient provider = protocol.registeredProvider(0, "us-east", "", GPUS);
        assertReverts("AlreadyRegistered", () -> provider.register("eu-west", "", "https://x", GPUS, minStake()));
        assertThat(reader().provider(provider.address()).orElseThrow().region()).isEqualTo("us-east");
    }

    @Test
    void aStakeBelowTheMinimumIsRefused() {
        ProviderClient provider = protocol.provider(0);
        BigInteger tooLow = minStake().subtract(BigInteger.ONE);
        ContractRevertException revert = assertReverts("StakeTooLow",
                () -> provider.register("us-east", "", "https://x", GPUS, tooLow));
        assertThat(revert.arguments()).containsExactly(tooLow, minStake());
        assertThat(reader().provider(provider.address())).isEmpty();
    }

    @Test
    void anEmptyRegionOrGatewayOrInconsistentGpusAreRefused() {
        ProviderClient provider = protocol.provider(0);
        assertThat(assertReverts("EmptyField", () -> provider.register("", "", "https://x", GPUS, minStake()))
                .arguments()).containsExactly("region");
        assertThat(assertReverts("EmptyField", () -> provider.register("us-east", "", "", GPUS, minStake()))
                .arguments()).containsExactly("gatewayUrl");
        // More free GPUs than the cluster has cannot be right (GpuOffer refuses it too, so build it by hand).
        var registry = protocol.registryContract(protocol.sender(protocol.providerKey(0)));
        assertReverts("InvalidGpuAttributes", () -> protocol.sender(protocol.providerKey(0)).send("register",
                registry.register("us-east", "", "https://x", List.of("H100"), List.of(BigInteger.ONE),
                        List.of(BigInteger.TWO), minStake())));
        assertThat(reader().provider(provider.address())).isEmpty();
    }

    @Test
    void updatingAttributesReplacesTheProfileAndInventory() {
        ProviderClient provider = protocol.registeredProvider(0, "us-east", "a", GPUS);
        provider.updateAttributes("eu-west", "b", "https://new.example", List.of(new GpuOffer("L40S", 2, 1)));

        Provider p = reader().provider(provider.address()).orElseThrow();
        assertThat(p.region()).isEqualTo("eu-west");
        assertThat(p.gatewayUrl()).isEqualTo("https://new.example");
        assertThat(p.gpus()).containsExactly(new GpuOffer("L40S", 2, 1));
    }

    @Test
    void anUnregisteredAccountCannotUpdateStakeOrHeartbeat() {
        ProviderClient stranger = protocol.provider(5);
        assertReverts("NotRegistered", () -> stranger.updateAttributes("us-east", "", "https://x", GPUS));
        assertReverts("NotRegistered", () -> stranger.addStake(tokens(1)));
        assertReverts("NotRegistered", () -> stranger.requestUnstake(tokens(1)));
        assertReverts("NotRegistered", stranger::withdrawStake);
        assertReverts("NotRegistered", stranger::heartbeat);
    }

    @Test
    void addingStakeRaisesItAndZeroIsRefused() {
        ProviderClient provider = protocol.registeredProvider(0, "us-east", "", GPUS);
        provider.addStake(tokens(25));
        assertThat(reader().provider(provider.address()).orElseThrow().stake()).isEqualTo(minStake().add(tokens(25)));
        assertReverts("ZeroAmount", () -> provider.addStake(BigInteger.ZERO));
    }

    @Test
    void unstakingMakesTheProviderIneligibleAtOnceAndPaysOutOnlyAfterTheCooldown() {
        ProviderClient provider = protocol.registeredProvider(0, "us-east", "", GPUS);
        BigInteger before = reader().tokenBalance(provider.address());

        provider.requestUnstake(tokens(40));
        Provider pending = reader().provider(provider.address()).orElseThrow();
        assertThat(pending.eligible()).isFalse();
        assertThat(pending.effectiveStake()).isEqualTo(minStake().subtract(tokens(40)));

        ContractRevertException early = assertReverts("CooldownNotOver", provider::withdrawStake);
        assertThat(early.arguments().get(0)).isEqualTo(BigInteger.valueOf(pending.unstakeReadyBlock()));
        assertThat(reader().tokenBalance(provider.address())).isEqualTo(before);

        protocol.chain().mine(protocol.config().unstakeCooldownBlocks());
        provider.withdrawStake();
        Provider after = reader().provider(provider.address()).orElseThrow();
        assertThat(after.stake()).isEqualTo(minStake().subtract(tokens(40)));
        assertThat(after.unstakeAmount()).isZero();
        assertThat(reader().tokenBalance(provider.address())).isEqualTo(before.add(tokens(40)));

        assertReverts("NoUnstakeRequested", provider::withdrawStake);
    }

    @Test
    void unstakeRequestsAreOneAtATimeAndWithinTheStake() {
        ProviderClient provider = protocol.registeredProvider(0, "us-east", "", GPUS);
        assertReverts("UnstakeExceedsStake", () -> provider.requestUnstake(minStake().add(BigInteger.ONE)));
        assertReverts("ZeroAmount", () -> provider.requestUnstake(BigInteger.ZERO));
        provider.requestUnstake(tokens(1));
        assertReverts("UnstakePending", () -> provider.requestUnstake(tokens(1)));
    }

    @Test
    void heartbeatsInEveryEpochGiveFullUptimeAndMissedEpochsLowerIt() {
        ProviderClient provider = protocol.registeredProvider(0, "us-east", "", GPUS);
        long epoch = protocol.config().heartbeatEpochBlocks();
        assertThat(reader().provider(provider.address()).orElseThrow().uptimeBps()).isZero();

        provider.heartbeat();
        assertThat(reader().provider(provider.address()).orElseThrow().uptimeBps()).isEqualTo(10_000);

        // Three more epochs pass, with a heartbeat in only one of them.
        protocol.chain().mine(3 * epoch);
        provider.heartbeat();
        int uptime = reader().provider(provider.address()).orElseThrow().uptimeBps();
        assertThat(uptime).isStrictlyBetween(0, 10_000);

        // 64 silent epochs empty the window.
        protocol.chain().mine(64 * epoch);
        assertThat(reader().provider(provider.address()).orElseThrow().uptimeBps()).isZero();
    }

    @Test
    void onlyTheOrderContractMaySlashOrRecordOutcomes() {
        ProviderClient provider = protocol.registeredProvider(0, "us-east", "", GPUS);
        // Even the registry's owner is not the slasher.
        TransactionSender owner = protocol.sender(protocol.owner());
        var registry = protocol.registryContract(owner);
        assertReverts("NotSlasher", () -> owner.send("slash", registry.slash(provider.address(), tokens(10), BigInteger.ONE)));
        assertReverts("NotSlasher", () -> owner.send("recordLeaseOutcome", registry.recordLeaseOutcome(provider.address(), true, BigInteger.valueOf(3600))));
        assertThat(reader().provider(provider.address()).orElseThrow().stake()).isEqualTo(minStake());
    }

    @Test
    void theSlasherIsSetOnceAndOnlyByTheOwner() {
        TransactionSender owner = protocol.sender(protocol.owner());
        assertReverts("SlasherAlreadySet", () -> owner.send("setSlasher",
                protocol.registryContract(owner).setSlasher(owner.address())));
        TransactionSender stranger = protocol.sender(protocol.tenantKey(0));
        ContractRevertException revert = assertReverts("OwnableUnauthorizedAccount", () -> stranger.send("setSlasher",
                protocol.registryContract(stranger).setSlasher(stranger.address())));
        assertThat((String) revert.arguments().get(0)).isEqualToIgnoringCase(stranger.address());
    }
}
