package org.openspheron.operator.bidding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openspheron.chain.ProtocolFixture.gpuOrder;
import static org.openspheron.chain.ProtocolFixture.tokens;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.OrderFeatures;
import org.openspheron.chain.OrderSpec;

class ProviderCapabilitiesTest {
    @Test
    void anOrderNeedingMoreLeasedIpsThanThePoolHoldsIsDeclinedNamingBothNumbers() {
        OrderSpec needsTwo = withFeatures(OrderFeatures.ofLeasedIps(2));

        assertThat(ProviderCapabilities.DEFAULT_STORAGE.lacking(needsTwo)).contains(new Decision.Decline("leased-ips",
                "it needs 2 leased IPs; spheron.operator.ip-pool has 0"));
        assertThat(ProviderCapabilities.DEFAULT_STORAGE.withLeasedIps(1).lacking(needsTwo)).contains(
                new Decision.Decline("leased-ips", "it needs 2 leased IPs; spheron.operator.ip-pool has 1"));
        assertThat(ProviderCapabilities.DEFAULT_STORAGE.withLeasedIps(2).lacking(needsTwo)).isEmpty();
        assertThat(ProviderCapabilities.DEFAULT_STORAGE.lacking(withFeatures(OrderFeatures.NONE))).isEmpty();
    }

    @Test
    void anUnknownFeatureIsNamedBeforeMissingLeasedIps() {
        Optional<Decision.Decline> lacking = ProviderCapabilities.DEFAULT_STORAGE.lacking(
                withFeatures(OrderFeatures.ofLeasedIps(1) | 1L << 20));

        assertThat(lacking).map(Decision.Decline::reason).contains("features");
    }

    private static OrderSpec withFeatures(long features) {
        OrderSpec s = gpuOrder(1, "A100", "us-east", tokens(10));
        return new OrderSpec(s.cpuMilli(), s.memoryMb(), s.storageMb(), s.gpuCount(), s.gpuModel(), s.region(), s.zone(),
                s.regionRequired(), s.maxPricePerHour(), s.durationSeconds(), s.manifestHash(), features);
    }
}
