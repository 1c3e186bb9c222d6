package org.openspheron.chain;

import java.math.BigInteger;
import org.openspheron.contracts.generated.CertificateRegistry;
import org.openspheron.contracts.generated.DeploymentOrder;
import org.openspheron.contracts.generated.MatchmakerSet;
import org.openspheron.contracts.generated.PaymentToken;
import org.openspheron.contracts.generated.ProviderRegistry;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.RemoteCall;
import org.web3j.tx.Contract;

/**
 * Deploys the whole protocol — payment token, matchmaker set, provider registry, certificate registry and the
 * order contract — and wires the order contract in as the registry's only slasher.
 */
public final class ProtocolDeployer {
    private ProtocolDeployer() {
    }

    /**
     * Deploys with {@code owner} as the owner of every contract and {@code treasury} as the receiver of slashes.
     *
     * @return the addresses, ready for {@link ChainConnection#connect}
     */
    public static ProtocolAddresses deploy(ChainConnection connection, Credentials owner, ProtocolConfig config, String treasury) {
        TransactionSender sender = connection.sender(owner);
        var tx = sender.manager();
        var gas = connection.gasProvider();
        var web3j = connection.web3j();

        PaymentToken token = deployed("PaymentToken", PaymentToken.deploy(web3j, tx, gas, "Spheron Test USD", "sUSD"));
        MatchmakerSet matchmakers = deployed("MatchmakerSet",
                MatchmakerSet.deploy(web3j, tx, gas, config.matchmakers(), BigInteger.valueOf(config.threshold()),
                        BigInteger.valueOf(config.operatorChangeDelaySeconds())));
        ProviderRegistry registry = deployed("ProviderRegistry", ProviderRegistry.deploy(web3j, tx, gas,
                token.getContractAddress(), config.minStake(), BigInteger.valueOf(config.unstakeCooldownBlocks()),
                BigInteger.valueOf(config.heartbeatEpochBlocks()), treasury));
        CertificateRegistry certificates = deployed("CertificateRegistry", CertificateRegistry.deploy(web3j, tx, gas));
        DeploymentOrder orders = deployed("DeploymentOrder", DeploymentOrder.deploy(web3j, tx, gas,
                token.getContractAddress(), registry.getContractAddress(), matchmakers.getContractAddress(),
                BigInteger.valueOf(config.bidWindowBlocks()), BigInteger.valueOf(config.matchWindowBlocks()),
                BigInteger.valueOf(config.confirmWindowSeconds()), config.missedDeploymentSlash()));
        sender.send("setSlasher", registry.setSlasher(orders.getContractAddress()));

        return new ProtocolAddresses(token.getContractAddress(), registry.getContractAddress(),
                orders.getContractAddress(), matchmakers.getContractAddress(), certificates.getContractAddress());
    }

    /** Mints payment tokens to {@code to}: the local faucet. Only the token's owner can. */
    public static void mint(ChainConnection connection, Credentials owner, String to, BigInteger amount) {
        TransactionSender sender = connection.sender(owner);
        PaymentToken token = PaymentToken.load(connection.addresses().token(), connection.web3j(), sender.manager(),
                connection.gasProvider());
        sender.send("mint(" + to + ")", token.mint(to, amount));
    }

    private static <T extends Contract> T deployed(String name, RemoteCall<T> deployment) {
        try {
            return deployment.send();
        } catch (ChainException e) {
            throw e;
        } catch (Exception e) {
            throw new ChainException("deploying " + name + " failed: " + e.getMessage(), e);
        }
    }
}
