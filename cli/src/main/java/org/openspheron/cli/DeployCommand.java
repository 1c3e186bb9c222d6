package org.openspheron.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openspheron.chain.Bid;
import org.openspheron.chain.Lease;
import org.openspheron.chain.Order;
import org.openspheron.chain.OrderFeatures;
import org.openspheron.chain.OrderSpec;
import org.openspheron.chain.OrderState;
import org.openspheron.chain.Provider;
import org.openspheron.chain.identity.ClientIdentity;
import org.openspheron.manifest.Manifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code spheron deploy FILE}: from a manifest to a running deployment. Creates the order with its escrow, follows the
 * bids until the matchmakers' quorum creates the lease, checks the lease, sends the manifest to the provider's
 * gateway over mutual TLS and waits until it runs. Every step is on chain or idempotent at the gateway, so an
 * interrupted deploy resumes with {@code --order}.
 */
@Command(name = "deploy", description = "Order resources for a manifest, wait for the match, send the manifest, wait until it runs.")
public class DeployCommand extends ChainCommand {
    @Parameters(paramLabel = "FILE", description = "The manifest (Spheron ICL or Akash SDL).")
    Path file;

    @Option(names = "--deposit", paramLabel = "TOKENS", description = "Escrow to lock (default: max price x duration).")
    String deposit;

    @Option(names = "--max-price", paramLabel = "TOKENS", description = "Most to pay per hour for the whole deployment "
            + "(default: the manifest's prices: ICL's per hour, or SDL's per block converted at Akash's 6.098 s per block).")
    String maxPrice;

    @Mixin
    PricingOptions pricing;

    @Option(names = "--region", paramLabel = "REGION", description = "Region the provider must be in (default: the manifest's placement region, if any).")
    String region;

    @Option(names = "--gpu-model", paramLabel = "MODEL", description = "GPU model to order when the manifest accepts any.")
    String gpuModel;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class, description = "How long to run, e.g. 2h (default: the manifest's).")
    Duration duration;

    @Option(names = "--order", paramLabel = "ORDER", description = "Resume an earlier deploy of this manifest at its order.")
    Long resumeOrder;

    @Option(names = "--poll-interval", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "2s", description = "How often to look (default: ${DEFAULT-VALUE}).")
    Duration pollInterval;

    @Option(names = "--match-timeout", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "10min", description = "How long to wait for the match (default: ${DEFAULT-VALUE}).")
    Duration matchTimeout;

    @Option(names = "--deploy-timeout", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "15min", description = "How long to wait until it runs (default: ${DEFAULT-VALUE}).")
    Duration deployTimeout;

    private Output output;
    private volatile String resumeHint;

    @Override
    public Integer call() {
        output = output();
        byte[] yaml = ValidateCommand.bytes(file);
        Manifest manifest = org.openspheron.manifest.ManifestParser.parse(yaml);
        output.progress("manifest     " + file + ": " + manifest.summary());
        Home home = common.home();
        ClientIdentity identity = home.identity();
        Thread hint = new Thread(() -> {
            if (resumeHint != null) {
                spec.commandLine().getErr().println("\ninterrupted: " + resumeHint);
                spec.commandLine().getErr().flush();
            }
        });
        Runtime.getRuntime().addShutdownHook(hint);
        try (ChainSession chain = openChain()) {
            OrderSpec order = resumeOrder != null ? null : orderSpec(chain, manifest);
            CertCommand.ensurePublished(chain, identity, output);
            resumeHint = "the order may have been sent; `spheron orders` lists it, and `spheron deploy " + file
                    + " --order ORDER` resumes it";
            long orderId = resumeOrder != null ? resume(chain, manifest) : createOrder(chain, order);
            resumeHint = "order " + orderId + " stays on chain; resume with `spheron deploy " + file + " --order " + orderId
                    + "`, or get the deposit back with `spheron cancel " + orderId + "`";
            long leaseId = awaitLease(chain, orderId);
            resumeHint = "lease " + leaseId + " is active and paid from escrow; resume with `spheron deploy " + file
                    + " --order " + orderId + "`, watch it with `spheron status " + leaseId + "`, stop it with `spheron close " + leaseId + "`";
            Lease lease = verifiedLease(chain, orderId, leaseId, manifest);
            Provider provider = chain.reader().provider(lease.provider())
                    .orElseThrow(() -> new CliException("lease " + leaseId + "'s provider " + lease.provider() + " is not registered"));
            GatewayClient gateway = GatewayClient.forProvider(chain, provider, identity);
            long deadline = System.nanoTime() + deployTimeout.toNanos();
            JsonNode accepted = sendManifest(gateway, leaseId, yaml, deadline);
            output.progress("manifest     accepted by " + gateway.base() + " for services "
                    + accepted.path("services"));
            JsonNode status = awaitRunning(gateway, leaseId, deadline);
            resumeHint = null;
            output.line("");
            LeaseView.deployment(output, status);
            output.line("");
            output.line("deployed: lease " + leaseId + " at " + chain.tokens(lease.pricePerHour()) + "/h; `spheron logs "
                    + leaseId + "`, `spheron close " + leaseId + "` when done");
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("orderId", orderId);
            result.put("leaseId", leaseId);
            result.put("provider", lease.provider());
            result.put("gatewayUrl", provider.gatewayUrl());
            result.put("serverCertificateFingerprint", gateway.serverFingerprint());
            result.put("manifestHash", manifest.canonicalHash());
            result.put("pricePerHour", TokenAmount.plain(lease.pricePerHour()));
            result.put("status", status);
            output.result(result);
            return 0;
        } catch (RuntimeException e) {
            // A failure once the order may be on chain (a receipt that never came, an RPC gone mid-way) says how to
            // find and resume it, as an interruption does: a user who only reads "createOrder failed" deploys again
            // and pays a second deposit.
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (resumeHint == null || message.contains("`spheron ")) {
                throw e;
            }
            if (e instanceof CliException cli) {
                throw new CliException(message + "\n" + resumeHint, cli.exitCode());
            }
            throw new CliException(message + "\n" + resumeHint, e);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hint);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it prints the hint
            }
        }
    }

    /** The order, worked out before any transaction, so a missing option costs the user nothing. */
    private OrderSpec orderSpec(ChainSession chain, Manifest manifest) {
        BigInteger price = ManifestOrder.maxPricePerHour(manifest, maxPrice == null ? null : TokenAmount.parse(maxPrice),
                pricing.rates(), chain.symbol(), output::progress);
        return ManifestOrder.spec(manifest, gpuModel, region, price, duration);
    }

    private long createOrder(ChainSession chain, OrderSpec order) {
        BigInteger escrow = deposit == null ? ManifestOrder.fullDeposit(order) : TokenAmount.parse(deposit);
        BigInteger balance = chain.reader().tokenBalance(chain.address());
        if (balance.compareTo(escrow) < 0) {
            throw new CliException("the deposit of " + chain.tokens(escrow) + " is more than the account's balance of "
                    + chain.tokens(balance));
        }
        output.progress("order        " + describe(order) + ", at most " + chain.tokens(order.maxPricePerHour())
                + "/h for " + org.openspheron.manifest.ManifestQuantities.formatDuration(Duration.ofSeconds(order.durationSeconds()))
                + ", deposit " + chain.tokens(escrow));
        long orderId = chain.tenant().createOrder(order, escrow);
        Order created = chain.reader().requireOrder(orderId);
        output.progress("order        " + orderId + " created; providers bid until block " + created.bidWindowEnd());
        return orderId;
    }

    private long resume(ChainSession chain, Manifest manifest) {
        Order order = chain.reader().requireOrder(resumeOrder);
        if (!order.tenant().equalsIgnoreCase(chain.address())) {
            throw new CliException("order " + resumeOrder + " belongs to " + order.tenant() + ", not to " + chain.address());
        }
        if (!order.spec().manifestHash().equalsIgnoreCase(manifest.canonicalHash())) {
            throw new CliException("order " + resumeOrder + " was made for manifest " + order.spec().manifestHash()
                    + ", but " + file + " hashes to " + manifest.canonicalHash());
        }
        output.progress("order        " + resumeOrder + " resumed (" + order.state() + ")");
        return resumeOrder;
    }

    private long awaitLease(ChainSession chain, long orderId) {
        long deadline = System.nanoTime() + matchTimeout.toNanos();
        int bidsSeen = -1;
        boolean windowClosedShown = false;
        while (true) {
            Order order = chain.reader().requireOrder(orderId);
            if (order.state() == OrderState.MATCHED) {
                Lease lease = chain.reader().requireLease(order.leaseId());
                output.progress("matched      lease " + lease.id() + " with provider " + lease.provider() + " at "
                        + chain.tokens(lease.pricePerHour()) + "/h");
                return order.leaseId();
            }
            if (order.state() == OrderState.CANCELLED) {
                throw new CliException("order " + orderId + " was cancelled");
            }
            List<Bid> bids = chain.reader().bids(orderId);
            long block = chain.reader().blockNumber();
            if (bids.size() != bidsSeen) {
                bidsSeen = bids.size();
                String lowest = bids.stream().map(Bid::pricePerHour).min(BigInteger::compareTo)
                        .map(p -> " (lowest " + chain.tokens(p) + "/h)").orElse("");
                output.progress("bids         " + bids.size() + lowest + " at block " + block + "; bid window ends at block "
                        + order.bidWindowEnd());
            }
            if (order.biddingClosedAt(block) && !windowClosedShown) {
                if (bids.isEmpty()) {
                    throw new CliException("the bid window closed at block " + order.bidWindowEnd() + " without a bid: no provider "
                            + "offered these resources at that price; get the deposit back with `spheron cancel " + orderId + "`");
                }
                output.progress("matching     bid window closed with " + bids.size() + " bid(s); waiting for the matchmakers' quorum");
                windowClosedShown = true;
            }
            if (System.nanoTime() > deadline) {
                throw new CliException("no match within " + matchTimeout.toSeconds() + "s: " + resumeHint, CliException.TIMED_OUT);
            }
            sleep();
        }
    }

    private Lease verifiedLease(ChainSession chain, long orderId, long leaseId, Manifest manifest) {
        Lease lease = chain.reader().requireLease(leaseId);
        Order order = chain.reader().requireOrder(orderId);
        if (!lease.tenant().equalsIgnoreCase(chain.address())) {
            throw new CliException("lease " + leaseId + " belongs to " + lease.tenant() + ", not to " + chain.address());
        }
        if (lease.orderId() != orderId) {
            throw new CliException("lease " + leaseId + " is for order " + lease.orderId() + ", not " + orderId);
        }
        if (!order.spec().manifestHash().equalsIgnoreCase(manifest.canonicalHash())) {
            throw new CliException("the order's manifest hash " + order.spec().manifestHash() + " is not this manifest's "
                    + manifest.canonicalHash());
        }
        if (!lease.isActive()) {
            throw new CliException("lease " + leaseId + " is " + lease.state() + ", not active");
        }
        return lease;
    }

    /** Retries while the provider cannot be reached or has not seen the lease yet; other refusals are final. */
    private JsonNode sendManifest(GatewayClient gateway, long leaseId, byte[] yaml, long deadline) {
        String lastProblem = null;
        while (true) {
            try {
                JsonNode accepted = gateway.putManifest(leaseId, yaml);
                output.progress("gateway      " + gateway.base() + " (server certificate " + gateway.serverFingerprint() + ")");
                return accepted;
            } catch (GatewayException e) {
                boolean transient_ = e.unreachable() || e.status() >= 500 || "UnknownLease".equals(e.code());
                if (!transient_) {
                    throw new CliException(e.getMessage() + "; lease " + leaseId + " stays active and paid from escrow: "
                            + "stop it with `spheron close " + leaseId + "`");
                }
                if (!e.getMessage().equals(lastProblem)) {
                    output.progress("gateway      " + e.getMessage() + "; retrying");
                    lastProblem = e.getMessage();
                }
                if (System.nanoTime() > deadline) {
                    throw new CliException("the manifest was not accepted within " + deployTimeout.toSeconds() + "s: "
                            + e.getMessage() + "; " + resumeHint, CliException.TIMED_OUT);
                }
                sleep();
            }
        }
    }

    private JsonNode awaitRunning(GatewayClient gateway, long leaseId, long deadline) {
        String lastPhase = null;
        while (true) {
            JsonNode status;
            try {
                status = gateway.status(leaseId);
            } catch (GatewayException e) {
                if (!e.unreachable() && e.status() < 500) {
                    throw e;
                }
                output.progress("gateway      " + e.getMessage() + "; retrying");
                status = null;
            }
            if (status != null) {
                String phase = status.path("phase").asText("");
                String line = phase + (status.hasNonNull("message") ? " (" + status.get("message").asText() + ")" : "");
                if (!line.equals(lastPhase)) {
                    output.progress("deployment   " + line);
                    lastPhase = line;
                }
                if (phase.equals("Running")) {
                    return status;
                }
                if (phase.equals("Failed") || phase.equals("Closed") || phase.equals("Closing")) {
                    throw new CliException("the deployment of lease " + leaseId + " is " + phase + ": "
                            + status.path("message").asText("no reason given") + lastWarning(status));
                }
            }
            if (System.nanoTime() > deadline) {
                throw new CliException("lease " + leaseId + " is not running after " + deployTimeout.toSeconds() + "s (phase "
                        + lastPhase + "); " + resumeHint, CliException.TIMED_OUT);
            }
            sleep();
        }
    }

    private static String lastWarning(JsonNode status) {
        String warning = "";
        for (JsonNode event : status.path("events")) {
            if ("Warning".equals(event.path("type").asText())) {
                warning = "; last warning " + event.path("reason").asText() + ": " + event.path("message").asText();
            }
        }
        return warning;
    }

    /** The order as the progress line shows it, with what only some providers serve ({@link OrderFeatures}). */
    static String describe(OrderSpec order) {
        StringBuilder s = new StringBuilder();
        if (order.gpuCount() > 0) {
            s.append(order.gpuCount()).append("x ").append(order.gpuModel()).append(", ");
        }
        s.append(order.cpuMilli() / 1000.0).append(" CPU, ").append(order.memoryMb()).append(" MiB memory, ")
                .append(order.storageMb()).append(" MiB storage");
        if (!order.region().isEmpty()) {
            s.append(" in ").append(order.region());
        }
        if (order.features() != OrderFeatures.NONE) {
            s.append(", needs ").append(OrderFeatures.describe(order.features()));
        }
        return s.toString();
    }

    private void sleep() {
        try {
            Thread.sleep(pollInterval.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted: " + resumeHint);
        }
    }
}
