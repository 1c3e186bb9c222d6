package org.openspheron.chain;

import java.math.BigInteger;
import org.openspheron.contracts.generated.CertificateRegistry;
import org.openspheron.contracts.generated.DeploymentOrder;
import org.openspheron.contracts.generated.PaymentToken;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/** What a user (tenant) does on chain: orders, escrow, leases, and publishing a client certificate. */
public final class TenantClient {
    private final TransactionSender sender;
    private final DeploymentOrder orders;
    private final PaymentToken token;
    private final CertificateRegistry certificates;

    public TenantClient(ChainConnection connection, Credentials tenant) {
        this(connection.sender(tenant));
    }

    public TenantClient(TransactionSender sender) {
        this.sender = sender;
        ChainConnection c = sender.connection();
        this.orders = DeploymentOrder.load(c.addresses().orders(), c.web3j(), sender.manager(), c.gasProvider());
        this.token = PaymentToken.load(c.addresses().token(), c.web3j(), sender.manager(), c.gasProvider());
        this.certificates = CertificateRegistry.load(c.addresses().certificates(), c.web3j(), sender.manager(), c.gasProvider());
    }

    public String address() {
        return sender.address();
    }

    /** Approves the escrow, creates the order and returns its id (read from {@code ORDER_CREATED}). */
    public long createOrder(OrderSpec spec, BigInteger deposit) {
        approve(sender.connection().addresses().orders(), deposit);
        TransactionReceipt receipt = sender.send("createOrder", orders.createOrder(toChain(spec), deposit));
        return DeploymentOrder.getORDER_CREATEDEvents(receipt).stream()
                .findFirst()
                .map(e -> e.orderId.longValueExact())
                .orElseThrow(() -> new ChainException("createOrder mined without ORDER_CREATED in " + receipt.getTransactionHash()));
    }

    /** Cancels an open order (no bids yet, or not matched in time) and gets the deposit back. */
    public TransactionReceipt cancelOrder(long orderId) {
        return sender.send("cancelOrder(" + orderId + ")", orders.cancelOrder(BigInteger.valueOf(orderId)));
    }

    public TransactionReceipt topUp(long leaseId, BigInteger amount) {
        approve(sender.connection().addresses().orders(), amount);
        return sender.send("topUp(" + leaseId + ")", orders.topUp(BigInteger.valueOf(leaseId), amount));
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

    public TransactionReceipt closeLease(long leaseId) {
        return sender.send("closeLease(" + leaseId + ")", orders.closeLease(BigInteger.valueOf(leaseId)));
    }

    /** Closes a confirmed lease whose escrow is used up or whose duration is over; anyone may. */
    public TransactionReceipt closeExpired(long leaseId) {
        return sender.send("closeExpired(" + leaseId + ")", orders.closeExpired(BigInteger.valueOf(leaseId)));
    }

    /** Reports a provider that did not confirm the deployment in time: refund and slash. */
    public TransactionReceipt reportUndeployed(long leaseId) {
        return sender.send("reportUndeployed(" + leaseId + ")", orders.reportUndeployed(BigInteger.valueOf(leaseId)));
    }

    /** Publishes the SHA-256 fingerprint (32-byte hex) of the caller's client certificate. */
    public TransactionReceipt publishCertificate(String fingerprint) {
        return sender.send("publishCertificate", certificates.publish(Numeric.hexStringToByteArray(fingerprint)));
    }

    public TransactionReceipt revokeCertificate(String fingerprint) {
        return sender.send("revokeCertificate", certificates.revoke(Numeric.hexStringToByteArray(fingerprint)));
    }

    private void approve(String spender, BigInteger amount) {
        sender.send("approve", token.approve(spender, amount));
    }

    static DeploymentOrder.OrderSpec toChain(OrderSpec s) {
        return new DeploymentOrder.OrderSpec(BigInteger.valueOf(s.cpuMilli()), BigInteger.valueOf(s.memoryMb()),
                BigInteger.valueOf(s.storageMb()), BigInteger.valueOf(s.gpuCount()), s.gpuModel(), s.region(), s.zone(),
                s.regionRequired(), s.maxPricePerHour(), BigInteger.valueOf(s.durationSeconds()),
                Numeric.hexStringToByteArray(s.manifestHash()), BigInteger.valueOf(s.features()));
    }
}
