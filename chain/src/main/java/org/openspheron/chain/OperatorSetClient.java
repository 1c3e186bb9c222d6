package org.openspheron.chain;

import java.math.BigInteger;
import org.openspheron.contracts.generated.MatchmakerSet;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * What the owner of the matchmaker operator set does: admit and remove operators and set the quorum threshold.
 * The set stands in for an EigenLayer AVS registry; only its owner key may call these.
 */
public final class OperatorSetClient {
    private final TransactionSender sender;
    private final MatchmakerSet matchmakers;

    public OperatorSetClient(ChainConnection connection, Credentials owner) {
        this(connection.sender(owner));
    }

    public OperatorSetClient(TransactionSender sender) {
        this.sender = sender;
        ChainConnection c = sender.connection();
        this.matchmakers = MatchmakerSet.load(c.addresses().matchmakers(), c.web3j(), sender.manager(), c.gasProvider());
    }

    public String address() {
        return sender.address();
    }

    public TransactionReceipt addOperator(String operator) {
        return sender.send("addOperator(" + operator + ")", matchmakers.addOperator(operator));
    }

    /** Removes an operator; refused when the remaining operators could no longer reach the threshold. */
    public TransactionReceipt removeOperator(String operator) {
        return sender.send("removeOperator(" + operator + ")", matchmakers.removeOperator(operator));
    }

    /** Sets how many distinct operator signatures a match needs (1 to the number of operators). */
    public TransactionReceipt setThreshold(int threshold) {
        return sender.send("setThreshold(" + threshold + ")", matchmakers.setThreshold(BigInteger.valueOf(threshold)));
    }
}
