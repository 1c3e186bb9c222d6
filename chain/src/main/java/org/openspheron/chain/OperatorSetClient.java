package org.openspheron.chain;

import static org.openspheron.chain.ProtocolReader.call;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.openspheron.contracts.generated.MatchmakerSet;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.RemoteFunctionCall;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * What the owner of the matchmaker operator set does: propose admitting and removing operators and changing the
 * quorum threshold, and hand ownership on. The set stands in for an EigenLayer AVS registry.
 *
 * <p>No change takes effect at once: each proposal waits out the set's {@link #changeDelay()} (fixed at deployment),
 * then anyone may {@link #execute} it; the owner may {@link #cancel} it until then. Every proposal states the
 * threshold the set has afterwards, which must stay a strict majority of the operators. Ownership moves in two
 * steps: {@link #transferOwnership} by the owner, {@link #acceptOwnership} by the new owner.
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

    /** Proposes admitting {@code operator}, with {@code threshold} once it is in. Returns the change's id. */
    public long proposeAddOperator(String operator, int threshold) {
        return proposed("proposeAddOperator(" + operator + ")",
                matchmakers.proposeAddOperator(operator, BigInteger.valueOf(threshold)));
    }

    /** Proposes removing {@code operator}, with {@code threshold} once it is out. Returns the change's id. */
    public long proposeRemoveOperator(String operator, int threshold) {
        return proposed("proposeRemoveOperator(" + operator + ")",
                matchmakers.proposeRemoveOperator(operator, BigInteger.valueOf(threshold)));
    }

    /** Proposes how many distinct operator signatures a match needs. Returns the change's id. */
    public long proposeThreshold(int threshold) {
        return proposed("proposeThreshold(" + threshold + ")", matchmakers.proposeThreshold(BigInteger.valueOf(threshold)));
    }

    /** Carries out a pending change whose delay has passed; any account may. */
    public TransactionReceipt execute(long changeId) {
        return sender.send("execute(change " + changeId + ")", matchmakers.execute(BigInteger.valueOf(changeId)));
    }

    /** Withdraws a pending change. Owner only. */
    public TransactionReceipt cancel(long changeId) {
        return sender.send("cancel(change " + changeId + ")", matchmakers.cancel(BigInteger.valueOf(changeId)));
    }

    /** The change with that id, or empty when none was proposed. */
    public Optional<OperatorSetChange> change(long changeId) {
        MatchmakerSet.Change c = call("getChange(" + changeId + ")", matchmakers.getChange(BigInteger.valueOf(changeId)));
        OperatorSetChange.State state = OperatorSetChange.State.of(c.state);
        if (state == OperatorSetChange.State.NONE) {
            return Optional.empty();
        }
        OperatorSetChange.Kind kind = OperatorSetChange.Kind.of(c.kind);
        String account = kind == OperatorSetChange.Kind.SET_THRESHOLD ? null : c.account;
        return Optional.of(new OperatorSetChange(changeId, kind, account, c.threshold.intValueExact(),
                Instant.ofEpochSecond(c.executableAt.longValueExact()), state));
    }

    /** Changes proposed and neither executed nor cancelled, oldest first: what operators watch for. */
    public List<OperatorSetChange> pendingChanges() {
        long count = call("changeCount", matchmakers.changeCount()).longValueExact();
        List<OperatorSetChange> pending = new ArrayList<>();
        for (long id = 1; id <= count; id++) {
            change(id).filter(OperatorSetChange::isPending).ifPresent(pending::add);
        }
        return pending;
    }

    /** How long every change waits between its proposal and its execution. */
    public Duration changeDelay() {
        return Duration.ofSeconds(call("changeDelaySeconds", matchmakers.changeDelaySeconds()).longValueExact());
    }

    /** Offers ownership of the set to {@code newOwner}; it moves only when the new owner accepts. Owner only. */
    public TransactionReceipt transferOwnership(String newOwner) {
        return sender.send("transferOwnership(" + newOwner + ")", matchmakers.transferOwnership(newOwner));
    }

    /** Takes over ownership offered to this client's account. */
    public TransactionReceipt acceptOwnership() {
        return sender.send("acceptOwnership", matchmakers.acceptOwnership());
    }

    public String owner() {
        return call("owner", matchmakers.owner());
    }

    /** The account ownership was offered to and that has not accepted yet, if any. */
    public Optional<String> pendingOwner() {
        String pending = call("pendingOwner", matchmakers.pendingOwner());
        return new BigInteger(pending.substring(2), 16).signum() == 0 ? Optional.empty() : Optional.of(pending);
    }

    private long proposed(String action, RemoteFunctionCall<TransactionReceipt> proposal) {
        TransactionReceipt receipt = sender.send(action, proposal);
        return MatchmakerSet.getCHANGE_PROPOSEDEvents(receipt).stream()
                .findFirst()
                .map(e -> e.changeId.longValueExact())
                .orElseThrow(() -> new ChainException(action + " mined without CHANGE_PROPOSED in " + receipt.getTransactionHash()));
    }
}
