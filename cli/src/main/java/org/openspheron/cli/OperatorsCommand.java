package org.openspheron.cli;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openspheron.chain.ContractRevertException;
import org.openspheron.chain.OperatorSetChange;
import org.openspheron.chain.OperatorSetClient;
import org.openspheron.chain.ProtocolReader;
import org.web3j.crypto.Keys;
import org.web3j.utils.Numeric;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code spheron protocol operators}: the matchmaker operator set, for its owner. Every change is proposed, waits
 * out the set's delay in public, then anyone may execute it; the owner may cancel it until then.
 */
@Command(name = "operators", description = "List the matchmaker operators and pending changes; propose, execute or cancel changes.",
        subcommands = {OperatorsCommand.ListChanges.class, OperatorsCommand.Add.class, OperatorsCommand.Remove.class,
                OperatorsCommand.Threshold.class, OperatorsCommand.Execute.class, OperatorsCommand.Cancel.class,
                OperatorsCommand.TransferOwnership.class, OperatorsCommand.AcceptOwnership.class})
public class OperatorsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** A command on the operator set as the signer's account. */
    abstract static class OperatorSetCommand extends ChainCommand {
        @Mixin
        SignerOptions signer;

        @Override
        public Integer call() {
            Output output = output();
            try (ChainSession chain = openChain()) {
                OperatorSetClient client = new OperatorSetClient(chain.connection().withFees(signer.fees()),
                        signer.credentials(common.home()));
                try {
                    return run(output, client, chain.reader());
                } catch (ContractRevertException e) {
                    throw explained(e, client);
                }
            }
        }

        abstract int run(Output output, OperatorSetClient client, ProtocolReader reader);
    }

    /** What a refused change means for the person who asked for it. */
    static CliException explained(ContractRevertException e, OperatorSetClient client) {
        List<Object> args = e.arguments();
        String message = switch (e.errorName()) {
            case "OwnableUnauthorizedAccount" -> Keys.toChecksumAddress(String.valueOf(args.get(0)))
                    + " is not the owner of the operator set (the owner is " + Keys.toChecksumAddress(client.owner()) + ")";
            case "ThresholdBelowMajority" -> "threshold " + args.get(0) + " is not a strict majority of " + args.get(1)
                    + " operators: use at least " + (((BigInteger) args.get(1)).intValue() / 2 + 1) + " (--threshold)";
            case "InvalidThreshold" -> "threshold " + args.get(0) + " is more than the " + args.get(1) + " operators";
            case "ChangeNotDue" -> "change " + args.get(0) + " is not due yet: it can be executed from "
                    + Instant.ofEpochSecond(((BigInteger) args.get(1)).longValueExact());
            case "ChangeNotPending" -> "change " + args.get(0) + " is not pending (it is "
                    + OperatorSetChange.State.values()[((BigInteger) args.get(1)).intValue()] + ")";
            case "AlreadyOperator" -> Keys.toChecksumAddress(String.valueOf(args.get(0))) + " is already an operator";
            case "NotAnOperator" -> Keys.toChecksumAddress(String.valueOf(args.get(0))) + " is not an operator";
            case "ZeroAddress" -> "the zero address cannot be an operator";
            default -> null;
        };
        return message == null ? new CliException(e.getMessage(), e) : new CliException(message + "; nothing was sent", e);
    }

    static Map<String, Object> describe(OperatorSetChange change, Instant chainTime) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("id", change.id());
        c.put("kind", change.kind().name());
        c.put("account", change.account() == null ? null : Keys.toChecksumAddress(change.account()));
        c.put("threshold", change.threshold());
        c.put("executableAt", change.executableAt().toString());
        c.put("due", change.isDueAt(chainTime));
        c.put("state", change.state().name());
        return c;
    }

    static String line(OperatorSetChange change, Instant chainTime) {
        String what = switch (change.kind()) {
            case ADD_OPERATOR -> "add " + Keys.toChecksumAddress(change.account());
            case REMOVE_OPERATOR -> "remove " + Keys.toChecksumAddress(change.account());
            case SET_THRESHOLD -> "set threshold";
        };
        String when = change.isDueAt(chainTime) ? "due now (`spheron protocol operators execute " + change.id() + "`)"
                : "executable from " + change.executableAt() + " (in " + (change.executableAt().getEpochSecond()
                        - chainTime.getEpochSecond()) + " s)";
        return String.format("change %-4d %s, threshold %d; %s", change.id(), what, change.threshold(), when);
    }

    @Command(name = "list", description = "Show the operators, the threshold, the change delay and pending changes.")
    public static class ListChanges extends OperatorSetCommand {
        @Override
        int run(Output output, OperatorSetClient client, ProtocolReader reader) {
            Instant now = Instant.ofEpochSecond(reader.connection().latestTimestamp());
            List<String> operators = reader.operators().stream().map(Keys::toChecksumAddress).toList();
            int threshold = reader.matchThreshold();
            List<OperatorSetChange> pending = client.pendingChanges();
            output.line("owner        " + Keys.toChecksumAddress(client.owner()));
            output.line("threshold    " + threshold + " of " + operators.size());
            operators.forEach(o -> output.line("operator     " + o));
            output.line("delay        " + client.changeDelay().toSeconds() + " s between a proposal and its execution");
            output.line(pending.isEmpty() ? "pending      none" : "pending      " + pending.size());
            pending.forEach(c -> output.line("  " + line(c, now)));
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("owner", Keys.toChecksumAddress(client.owner()));
            result.put("operators", operators);
            result.put("threshold", threshold);
            result.put("changeDelaySeconds", client.changeDelay().toSeconds());
            result.put("chainTime", now.toString());
            List<Map<String, Object>> changes = new ArrayList<>();
            pending.forEach(c -> changes.add(describe(c, now)));
            result.put("pending", changes);
            output.result(result);
            return 0;
        }
    }

    /** Prints a proposal just made: its id and when it can be executed. */
    static int proposed(Output output, OperatorSetClient client, ProtocolReader reader, long changeId) {
        OperatorSetChange change = client.change(changeId).orElseThrow();
        Instant now = Instant.ofEpochSecond(reader.connection().latestTimestamp());
        output.line("proposed     " + line(change, now));
        output.result(describe(change, now));
        return 0;
    }

    @Command(name = "add", description = "Propose admitting an operator.")
    public static class Add extends OperatorSetCommand {
        @Parameters(paramLabel = "ADDRESS", description = "The operator's address.")
        String operator;

        @Option(names = "--threshold", paramLabel = "N", description = "The threshold once it is in (default: the current one).")
        Integer threshold;

        @Override
        int run(Output output, OperatorSetClient client, ProtocolReader reader) {
            ProtocolDeployCommand.requireAddress("ADDRESS", operator);
            int t = threshold != null ? threshold : reader.matchThreshold();
            return proposed(output, client, reader, client.proposeAddOperator(operator, t));
        }
    }

    @Command(name = "remove", description = "Propose removing an operator.")
    public static class Remove extends OperatorSetCommand {
        @Parameters(paramLabel = "ADDRESS", description = "The operator's address.")
        String operator;

        @Option(names = "--threshold", paramLabel = "N", description = "The threshold once it is out (default: the current one).")
        Integer threshold;

        @Override
        int run(Output output, OperatorSetClient client, ProtocolReader reader) {
            ProtocolDeployCommand.requireAddress("ADDRESS", operator);
            int t = threshold != null ? threshold : reader.matchThreshold();
            return proposed(output, client, reader, client.proposeRemoveOperator(operator, t));
        }
    }

    @Command(name = "threshold", description = "Propose how many operator signatures a match needs.")
    public static class Threshold extends OperatorSetCommand {
        @Parameters(paramLabel = "N", description = "The new threshold: a strict majority of the operators.")
        int threshold;

        @Override
        int run(Output output, OperatorSetClient client, ProtocolReader reader) {
            return proposed(output, client, reader, client.proposeThreshold(threshold));
        }
    }

    @Command(name = "execute", description = "Carry out a pending change whose delay has passed (any account may).")
    public static class Execute extends OperatorSetCommand {
        @Parameters(paramLabel = "CHANGE", description = "The change's id.")
        long changeId;

        @Override
        int run(Output output, OperatorSetClient client, ProtocolReader reader) {
            client.change(changeId).orElseThrow(() -> new CliException("no change " + changeId + " was proposed"));
            String tx = client.execute(changeId).getTransactionHash();
            output.line("executed     change " + changeId + " in " + tx + "; threshold " + reader.matchThreshold()
                    + " of " + reader.operators().size());
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("changeId", changeId);
            result.put("transactionHash", tx);
            result.put("operators", reader.operators().stream().map(Keys::toChecksumAddress).toList());
            result.put("threshold", reader.matchThreshold());
            output.result(result);
            return 0;
        }
    }

    @Command(name = "cancel", description = "Withdraw a pending change (owner only).")
    public static class Cancel extends OperatorSetCommand {
        @Parameters(paramLabel = "CHANGE", description = "The change's id.")
        long changeId;

        @Override
        int run(Output output, OperatorSetClient client, ProtocolReader reader) {
            client.change(changeId).orElseThrow(() -> new CliException("no change " + changeId + " was proposed"));
            String tx = client.cancel(changeId).getTransactionHash();
            output.line("cancelled    change " + changeId + " in " + tx);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("changeId", changeId);
            result.put("transactionHash", tx);
            output.result(result);
            return 0;
        }
    }

    @Command(name = "transfer-ownership", description = "Offer the operator set to a new owner (owner only); the "
            + "current owner stays in charge until the new one accepts.")
    public static class TransferOwnership extends OperatorSetCommand {
        @Parameters(paramLabel = "ADDRESS", description = "The new owner's address.")
        String newOwner;

        @Override
        int run(Output output, OperatorSetClient client, ProtocolReader reader) {
            ProtocolDeployCommand.requireAddress("ADDRESS", newOwner);
            if (Numeric.toBigInt(newOwner).signum() == 0) {
                // Ownable2Step reads the zero address as "withdraw the pending offer", not as a new owner.
                throw new CliException("the zero address cannot own the operator set; nothing was sent");
            }
            String tx = client.transferOwnership(newOwner).getTransactionHash();
            String offered = Keys.toChecksumAddress(newOwner);
            output.line("offered      the operator set to " + offered + " in " + tx + "; " + Keys.toChecksumAddress(client.owner())
                    + " stays the owner until " + offered + " runs 'spheron protocol operators accept-ownership'");
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("owner", Keys.toChecksumAddress(client.owner()));
            result.put("pendingOwner", offered);
            result.put("transactionHash", tx);
            output.result(result);
            return 0;
        }
    }

    @Command(name = "accept-ownership", description = "Take over the operator set offered to this account.")
    public static class AcceptOwnership extends OperatorSetCommand {
        @Override
        int run(Output output, OperatorSetClient client, ProtocolReader reader) {
            String self = Keys.toChecksumAddress(client.address());
            var pending = client.pendingOwner();
            if (pending.isEmpty() || !pending.get().equalsIgnoreCase(client.address())) {
                throw new CliException("the operator set is not offered to " + self + pending
                        .map(p -> " (it is offered to " + Keys.toChecksumAddress(p) + ")").orElse(" (no transfer is pending)")
                        + "; nothing was sent");
            }
            String tx = client.acceptOwnership().getTransactionHash();
            output.line("owner        " + self + " since " + tx);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("owner", self);
            result.put("transactionHash", tx);
            output.result(result);
            return 0;
        }
    }
}
