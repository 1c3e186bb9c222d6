package org.openspheron.chain;

import java.math.BigInteger;
import java.util.List;
import org.openspheron.contracts.generated.CertificateRegistry;
import org.openspheron.contracts.generated.DeploymentOrder;
import org.openspheron.contracts.generated.PaymentToken;
import org.openspheron.contracts.generated.ProviderRegistry;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * What a provider does on chain: register and stake, publish its gateway certificate, bid, confirm deployments, get
 * paid, send heartbeats.
 */
public final class ProviderClient {
    private final TransactionSender sender;
    private final DeploymentOrder orders;
    private final ProviderRegistry registry;
    private final PaymentToken token;
    private final CertificateRegistry certificates;

    public ProviderClient(ChainConnection connection, Credentials provider) {
        this(connection.sender(provider));
    }

    public ProviderClient(TransactionSender sender) {
        this.sender = sender;
        ChainConnection c = sender.connection();
        this.orders = DeploymentOrder.load(c.addresses().orders(), c.web3j(), sender.manager(), c.gasProvider());
        this.registry = ProviderRegistry.load(c.addresses().registry(), c.web3j(), sender.manager(), c.gasProvider());
        this.token = PaymentToken.load(c.addresses().token(), c.web3j(), sender.manager(), c.gasProvider());
        this.certificates = CertificateRegistry.load(c.addresses().certificates(), c.web3j(), sender.manager(), c.gasProvider());
    }

    /** Publishes the SHA-256 fingerprint (32-byte hex) of the gateway's server certificate, which users pin. */
    public TransactionReceipt publishGatewayCertificate(String fingerprint) {
        return sender.send("publishCertificate", certificates.publish(Numeric.hexStringToByteArray(fingerprint)));
    }

    public String address() {
        return sender.address();
    }

    /** Registers with location, gateway and GPUs, staking {@code stake} (approved here when not approved yet). */
    public TransactionReceipt register(String region, String zone, String gatewayUrl, List<GpuOffer> gpus, BigInteger stake) {
        approveForRegistry(stake);
        return sender.send("register", registry.register(region, zone, gatewayUrl, models(gpus), totals(gpus),
                available(gpus), stake));
    }

    public TransactionReceipt updateAttributes(String region, String zone, String gatewayUrl, List<GpuOffer> gpus) {
        return sender.send("updateAttributes", registry.updateAttributes(region, zone, gatewayUrl, models(gpus),
                totals(gpus), available(gpus)));
    }

    public TransactionReceipt addStake(BigInteger amount) {
        approveForRegistry(amount);
        return sender.send("addStake", registry.addStake(amount));
    }

    /**
     * Lets the registry take {@code amount}, unless it may already: a register or addStake that reverts (a stake
     * below the minimum, too few tokens) and is retried then does not pay for a new approval on every try.
     */
    private void approveForRegistry(BigInteger amount) {
        String registryAddress = sender.connection().addresses().registry();
        BigInteger allowed = ProtocolReader.call("allowance", token.allowance(address(), registryAddress));
        if (allowed.compareTo(amount) < 0) {
            sender.send("approve stake", token.approve(registryAddress, amount));
        }
    }

    public TransactionReceipt requestUnstake(BigInteger amount) {
        return sender.send("requestUnstake", registry.requestUnstake(amount));
    }

    public TransactionReceipt withdrawStake() {
        return sender.send("withdrawStake", registry.withdrawStake());
    }

    public TransactionReceipt heartbeat() {
        return sender.send("heartbeat", registry.heartbeat());
    }

    /** Bids on an order; returns the bid's index (read from {@code BID_SUBMITTED}). */
    public int submitBid(long orderId, BigInteger pricePerHour) {
        TransactionReceipt receipt = sender.send("submitBid(order " + orderId + ")",
                orders.submitBid(BigInteger.valueOf(orderId), pricePerHour));
        return DeploymentOrder.getBID_SUBMITTEDEvents(receipt).stream().findFirst()
                .map(e -> e.bidIndex.intValueExact())
                .orElseThrow(() -> new ChainException("submitBid mined without BID_SUBMITTED"));
    }

    public TransactionReceipt confirmDeployment(long leaseId) {
        return sender.send("confirmDeployment(" + leaseId + ")", orders.confirmDeployment(BigInteger.valueOf(leaseId)));
    }

    /** Withdraws what the lease has accrued; returns the amount paid. */
    public BigInteger withdraw(long leaseId) {
        TransactionReceipt receipt = sender.send("withdraw(" + leaseId + ")", orders.withdraw(BigInteger.valueOf(leaseId)));
        return DeploymentOrder.getPAYMENT_WITHDRAWNEvents(receipt).stream().findFirst()
                .map(e -> e.amount).orElse(BigInteger.ZERO);
    }

    /**
     * Takes out everything the order contract holds for this account (refunds and payments another party's
     * transaction settled) to {@code to}; returns the amount.
     */
    public BigInteger claim(String to) {
        TransactionReceipt receipt = sender.send("claim(" + to + ")", orders.claim(to));
        return DeploymentOrder.getFUNDS_CLAIMEDEvents(receipt).stream().findFirst().map(e -> e.amount)
                .orElse(BigInteger.ZERO);
    }

    /**
     * Declines an unconfirmed lease before its confirm deadline because the tenant's part failed: no slash, and the
     * tenant pays for the time the capacity was held.
     */
    public TransactionReceipt declineLease(long leaseId, DeclineReason reason) {
        return sender.send("declineLease(" + leaseId + ", " + reason + ")",
                orders.declineLease(BigInteger.valueOf(leaseId), BigInteger.valueOf(reason.closeReason())));
    }

    public TransactionReceipt closeLease(long leaseId) {
        return sender.send("closeLease(" + leaseId + ")", orders.closeLease(BigInteger.valueOf(leaseId)));
    }

    /** Closes a confirmed lease whose escrow is used up or whose duration is over; anyone may. */
    public TransactionReceipt closeExpired(long leaseId) {
        return sender.send("closeExpired(" + leaseId + ")", orders.closeExpired(BigInteger.valueOf(leaseId)));
    }

    private static List<String> models(List<GpuOffer> gpus) {
        return gpus.stream().map(GpuOffer::model).toList();
    }

    private static List<BigInteger> totals(List<GpuOffer> gpus) {
        return gpus.stream().map(g -> BigInteger.valueOf(g.total())).toList();
    }

    private static List<BigInteger> available(List<GpuOffer> gpus) {
        return gpus.stream().map(g -> BigInteger.valueOf(g.available())).toList();
    }
}
