package org.openspheron.chain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Reading a deployment back: its code, its wiring and the parameters it was deployed with. */
class ProtocolVerifierTest {
    @RegisterExtension
    static final ProtocolFixture protocol = ProtocolFixture.start();

    private String treasury() {
        return protocol.chain().account(ProtocolFixture.TREASURY).getAddress();
    }

    @Test
    void theFixturesDeploymentPassesEveryCheck() {
        List<ProtocolVerifier.Check> checks = ProtocolVerifier.verify(protocol.connection(), true);
        checks.addAll(ProtocolVerifier.verifyParameters(protocol.connection(), protocol.config(), treasury(),
                protocol.owner().getAddress()));
        assertThat(checks).allSatisfy(c -> assertThat(c.passed()).as(c.toString()).isTrue());
    }

    @Test
    void aParameterOtherThanTheOneAskedForIsReported() {
        ProtocolConfig asked = protocol.config().withConfirmWindowSeconds(protocol.config().confirmWindowSeconds() + 1);
        List<ProtocolVerifier.Check> failed = ProtocolVerifier.verifyParameters(protocol.connection(), asked, treasury(),
                protocol.owner().getAddress()).stream().filter(c -> !c.passed()).toList();
        assertThat(failed).singleElement().satisfies(c -> {
            assertThat(c.subject()).isEqualTo("DeploymentOrder.confirmWindowSeconds");
            assertThat(c.detail()).isEqualTo("is 600, expected 601");
        });
    }

    @Test
    void aContractWhoseSlasherIsNotTheOrderContractIsReported() {
        ProtocolAddresses a = protocol.addresses();
        // A second deployment's registry: its token and its slasher are that deployment's.
        ProtocolAddresses other = ProtocolDeployer.deploy(protocol.connection(), protocol.owner(), protocol.config(), treasury());
        ProtocolAddresses mixed = new ProtocolAddresses(a.token(), other.registry(), a.orders(), a.matchmakers(), a.certificates());
        List<String> failed = ProtocolVerifier.verify(protocol.connection().using(mixed), true).stream()
                .filter(c -> !c.passed()).map(ProtocolVerifier.Check::subject).toList();
        assertThat(failed).containsExactlyInAnyOrder("DeploymentOrder.registry", "ProviderRegistry.token", "ProviderRegistry.slasher");
    }
}
