package org.openspheron.devservices.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.QuarkusUnitTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openspheron.chain.ChainConnection;
import org.openspheron.chain.ProtocolAddresses;
import org.openspheron.chain.ProtocolReader;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameterName;

/** A matchmaker-like app in test mode with the dev service switched on gets a live chain and a one-operator quorum. */
class DevChainForMatchmakerTest {
    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest()
            .overrideConfigKey("spheron.devservices.enabled", "true");

    @ConfigProperty(name = "spheron.chain.rpc-url")
    String rpcUrl;

    @ConfigProperty(name = "spheron.protocol.addresses-file")
    Path addressesFile;

    @ConfigProperty(name = "spheron.matchmaker.key")
    String operatorKey;

    @ConfigProperty(name = "spheron.matchmaker.jwt.signing-key")
    String signingKey;

    @ConfigProperty(name = "spheron.matchmaker.jwt.peer-keys")
    String peerKeys;

    @Test
    void theInjectedChainHasTheProtocolDeployed() throws IOException {
        ProtocolAddresses addresses = ProtocolAddresses.read(addressesFile);
        try (ChainConnection connection = ChainConnection.connect(rpcUrl, addresses)) {
            String code = connection.web3j().ethGetCode(addresses.registry(), DefaultBlockParameterName.LATEST).send().getCode();
            assertThat(code).hasSizeGreaterThan(2);
            assertThat(new ProtocolReader(connection).matchThreshold()).isEqualTo(1);
        }
    }

    @Test
    void theInjectedKeyIsTheQuorumsOnlyOperator() {
        String operator = Credentials.create(operatorKey).getAddress();
        try (ChainConnection connection = ChainConnection.connect(rpcUrl, ProtocolAddresses.read(addressesFile))) {
            ProtocolReader reader = new ProtocolReader(connection);
            assertThat(reader.operators()).hasSize(1);
            assertThat(reader.isOperator(operator)).isTrue();
        }
    }

    @Test
    void theJwtKeysExist() {
        assertThat(Path.of(java.net.URI.create(signingKey))).isRegularFile();
        assertThat(Path.of(java.net.URI.create(peerKeys))).content().contains("\"keys\"");
    }
}
