package org.openspheron.operator.protocol;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jboss.logging.Logger;
import org.openspheron.chain.ChainConnection;
import org.openspheron.chain.ProtocolAddresses;
import org.openspheron.chain.ProtocolConfig;
import org.openspheron.chain.ProtocolReader;
import org.openspheron.chain.ProviderClient;
import org.openspheron.chain.identity.ClientIdentity;
import org.openspheron.chain.index.IndexMeters;
import org.openspheron.chain.index.IndexOptions;
import org.openspheron.chain.index.IndexStats;
import org.openspheron.chain.index.IndexView;
import org.openspheron.chain.index.ProtocolIndex;
import org.openspheron.chain.rpc.HeadSubscription;
import org.openspheron.chain.rpc.RpcUrls;
import org.openspheron.operator.bidding.BidEngine;
import org.openspheron.operator.bidding.PricingPolicy;
import org.openspheron.operator.bidding.ProviderCapabilities;
import org.openspheron.operator.bidding.ProviderProfile;
import org.openspheron.operator.config.ChainSettings;
import org.openspheron.operator.config.PricingSettings;
import org.openspheron.operator.config.ProtocolChain;
import org.openspheron.operator.config.ProtocolSettings;
import org.openspheron.operator.config.ProviderKey;
import org.openspheron.operator.config.ProviderSettings;
import org.openspheron.operator.config.SettingsException;
import org.openspheron.operator.gateway.GatewayStarted;
import org.openspheron.operator.inventory.ClusterInventory;
import org.openspheron.operator.leadership.LeaderDuty;
import org.openspheron.operator.leadership.Leadership;
import org.web3j.crypto.Credentials;

/**
 * The provider's side of the protocol in this process: validates the configuration at start (a wrong key or a
 * missing region stops the operator with a message naming the key to fix), connects to the chain (retrying
 * while it is away), then runs the duties on one scheduler thread: registration first and then a check of the
 * registry entry every {@code attributes-check-interval}; bids on every new block (the open orders from the
 * {@link ProtocolIndex}, which follows the chain's logs); heartbeats; withdrawals. Lease mirroring, which confirms
 * and declines leases against their deadlines, runs every poll on a thread of its own: a long round of withdrawals
 * or bids (one receipt awaited per transaction) delays a confirmation or a decline by one transaction at most,
 * not by the whole round, which could have carried a lease past its deadline and into a slash.
 * There is no event subscription: a log filter polled every 250 ms cost four RPC calls a second whatever happened,
 * on the same rate-limited budget, to wake duties that the next poll wakes anyway.
 *
 * <p>Everything after the configuration check runs only while this replica leads ({@link Leadership}): the duties
 * start when it is elected, and stop, waiting for the one in progress, when its leadership ends.
 */
@ApplicationScoped
public class ProviderNode implements LeaseTeardownListener, LeaderDuty {
    private static final Logger LOG = Logger.getLogger(ProviderNode.class);
    private static final BigDecimal TOKEN = new BigDecimal(ProtocolConfig.TOKEN);
    /**
     * How long stopping waits for a duty in progress (a transaction awaiting its receipt): within the default gap
     * between the renew deadline and the Lease's expiry, after which another replica may lead.
     */
    private static final Duration STOP_WAIT = Duration.ofSeconds(3);

    private final ProviderSettings settings;
    private final ProviderCapabilities capabilities;
    private final ChainSettings chain;
    private final ProtocolSettings protocol;
    private final PricingSettings pricing;
    private final ProtocolChain connections;
    private final KubernetesClient client;
    private final MeterRegistry meters;
    private final ClusterInventory inventory;
    private final Leadership leadership;

    /** What the duties need from the configuration, checked at start on every replica. */
    private record Prepared(Credentials key, PricingPolicy policy, Registration.Profile profile, IndexOptions index,
                            Optional<String> wsUrl) {
    }

    private volatile Prepared prepared;
    private volatile ScheduledExecutorService scheduler;
    /** The lease duty's own thread (see the class comment). */
    private volatile ScheduledExecutorService leaseScheduler;
    private volatile Running running;
    /** The process's one protocol index, once connected: what the bid engine reads the open orders from. */
    private volatile ProtocolIndex index;
    private volatile ClientIdentity gatewayIdentity;

    /** Everything that exists once the chain answered. */
    private record Running(ChainConnection connection, ProtocolReader reader, BidEngine bids, LeaseWatcher leases,
                           Registration registration, RecurringDuty bidDuty, RecurringDuty leaseDuty,
                           RecurringDuty certificateDuty, Optional<HeadSubscription> heads) {
    }

    ProviderNode(ProviderSettings settings, ChainSettings chain, ProtocolSettings protocol, PricingSettings pricing,
                 ProtocolChain connections, KubernetesClient client, MeterRegistry meters, ClusterInventory inventory,
                 Leadership leadership, ProviderCapabilities capabilities) {
        this.capabilities = capabilities;
        this.inventory = inventory;
        this.leadership = leadership;
        this.settings = settings;
        this.chain = chain;
        this.protocol = protocol;
        this.pricing = pricing;
        this.connections = connections;
        this.client = client;
        this.meters = meters;
        IndexMeters.bind(meters, () -> {
            ProtocolIndex current = index;
            return current == null ? IndexStats.NONE : current.stats();
        });
    }

    void onStart(@Observes StartupEvent event) {
        if (!settings.enabled()) {
            LOG.info("spheron.provider.enabled=false: not bidding, not mirroring leases, not talking to the chain");
            return;
        }
        Credentials key = ProviderKey.load(settings);
        ProtocolAddresses addresses = protocol.addresses();
        PricingPolicy policy = PricingPolicy.of(pricing);
        Registration.Profile profile = profile();
        IndexOptions indexOptions = ProtocolChain.indexOptions(chain);
        Optional<String> wsUrl = ProtocolChain.wsUrl(chain);
        LOG.infof("provider %s in %s/%s; chain %s, orders at %s", key.getAddress(), profile.region(), profile.zone(),
                RpcUrls.shownList(chain.rpcUrl()), addresses.orders());
        prepared = new Prepared(key, policy, profile, indexOptions, wsUrl);
        leadership.register(this);
    }

    void onStop(@Observes ShutdownEvent event) {
        stopDuties();
    }

    /** This replica leads: connects to the chain and starts the duties. */
    @Override
    public synchronized void startLeading() {
        Prepared p = prepared;
        if (p == null || scheduler != null) {
            return;
        }
        ScheduledExecutorService duties = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "spheron-provider");
            t.setDaemon(true);
            return t;
        });
        leaseScheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "spheron-provider-leases");
            t.setDaemon(true);
            return t;
        });
        scheduler = duties;
        duties.execute(() -> connect(p, 1));
    }

    /** This replica no longer leads: no duty runs, and none sends anything, once this returns (or after a bounded wait). */
    @Override
    public void stopLeading() {
        stopDuties();
    }

    private synchronized void stopDuties() {
        List<ScheduledExecutorService> threads = Stream.of(scheduler, leaseScheduler).filter(Objects::nonNull).toList();
        threads.forEach(ScheduledExecutorService::shutdownNow);
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        for (ScheduledExecutorService duties : threads) {
            try {
                if (!duties.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    LOG.warnf("a chain duty did not stop within %s; the process exits anyway", STOP_WAIT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Running r = running;
        running = null;
        if (r != null) {
            r.leases().close();
            r.heads().ifPresent(HeadSubscription::close);
        }
    }

    /** The gateway serves: its certificate is to be published (see {@link GatewayCertificate}). */
    void onGatewayStarted(@Observes GatewayStarted event) {
        gatewayIdentity = event.identity();
        Running r = running;
        if (r != null) {
            r.certificateDuty().wake();
        }
    }

    /** The registration, once connected; empty while the protocol side is off or the chain has not answered yet. */
    public Optional<Registration> registration() {
        return Optional.ofNullable(running).map(Running::registration);
    }

    public boolean enabled() {
        return settings.enabled();
    }

    /** Runs {@code task} on the thread of the duties other than lease mirroring; for tests of a long round there. */
    void runAmongOtherDuties(Runnable task) {
        scheduler.execute(task);
    }

    /** Whether this replica leads, so that its duties run (see {@link Leadership}). */
    public boolean leading() {
        return leadership.leading();
    }

    /**
     * Closes on chain a lease the provider gave up (see {@link LeaseWatcher#giveUp}). Throws while the chain is not
     * connected, so the lease's finalizer stays and the reconciler retries.
     */
    public boolean giveUp(long leaseId) {
        Running r = running;
        if (r == null) {
            throw new IllegalStateException("not connected to the chain yet: lease " + leaseId + " is closed on chain once it is");
        }
        return r.leases().giveUp(leaseId);
    }

    /**
     * Whether the chain holds the lease as this provider's active one (see {@link LeaseWatcher#activeOnChain}). Throws
     * while the chain is not connected, so a deleted SpheronLease waits rather than its workload being guessed away.
     */
    public boolean activeOnChain(long leaseId) {
        Running r = running;
        if (r == null) {
            throw new IllegalStateException("not connected to the chain yet: whether lease " + leaseId
                    + " is still active is asked again once it is");
        }
        return r.leases().activeOnChain(leaseId);
    }

    @Override
    public void leaseTornDown(long leaseId) {
        Running r = running;
        if (r != null) {
            r.bidDuty().wake();
            r.leaseDuty().wake();
        }
    }

    private void connect(Prepared p, int attempt) {
        try {
            start(connections.connection(), p);
        } catch (RuntimeException e) {
            long delay = Math.min(settings.maxBackoff().toMillis(), 1000L << Math.min(attempt - 1, 16));
            if (attempt == 1) {
                LOG.warnf("cannot reach the chain, retrying with backoff: %s", e.getMessage());
            }
            if (!scheduler.isShutdown()) {
                scheduler.schedule(() -> connect(p, attempt + 1), delay, TimeUnit.MILLISECONDS);
            }
        }
    }

    private void start(ChainConnection connection, Prepared p) {
        Credentials key = p.key();
        PricingPolicy policy = p.policy();
        Registration.Profile profile = p.profile();
        IndexOptions indexOptions = p.index();
        ProtocolReader reader = connections.reader();
        ProviderClient provider = new ProviderClient(connection, key);
        ChainParameters parameters = ChainParameters.read(connection);
        // A new leader starts from the chain's state (the index's first pass reads it whole), not from what an
        // earlier term of this replica followed.
        ProtocolIndex orders = new ProtocolIndex(reader, indexOptions);
        index = orders;
        BidEngine bids = new BidEngine(reader, orders, provider, inventory::read, policy,
                new ProviderProfile(provider.address(), profile.region(), profile.zone()), capabilities,
                parameters.matchWindowBlocks(), meters);
        // Lease passes at one head share their chain reads: the head is the one the index last followed.
        LeaseWatcher leases = new LeaseWatcher(reader, provider, client,
                settings.declineMargin().orElse(LeaseWatcher.defaultDeclineMargin(parameters.confirmWindowSeconds())),
                chain.confirmations(), orders::view);
        Registration registration = new Registration(reader, provider,
                () -> inventory.read().minus(bids.claims()).gpuOffers(), profile, settings.autoRegister(),
                settings.attributesMinInterval(), Clock.systemUTC());
        Heartbeat heartbeat = new Heartbeat(reader, provider, parameters.heartbeatEpochBlocks());
        Earnings earnings = new Earnings(reader, provider, tokens(settings.withdrawThreshold()));

        Duration poll = chain.pollInterval();
        Duration ceiling = settings.maxBackoff();
        long[] lastBlock = {-1};
        RecurringDuty registryDuty = new RecurringDuty("registration", settings.attributesCheckInterval(), ceiling,
                scheduler, registration::keepCurrent);
        RecurringDuty leaseDuty = new RecurringDuty("lease mirroring", poll, ceiling, leaseScheduler, leases::reconcile);
        RecurringDuty bidDuty = new RecurringDuty("bidding", poll, ceiling, scheduler, () -> {
            IndexView view = orders.follow();
            if (view.head() != lastBlock[0]) {
                // The index is at a new head: a lease pass reads it now rather than at its next poll.
                leaseDuty.wake();
                bids.reconcile(view);
                lastBlock[0] = view.head();
            }
        });
        // A workload that came up is confirmed now, not at the next poll.
        leases.onObjectChange(leaseDuty::wake);
        GatewayCertificate certificate = new GatewayCertificate(reader, provider, () -> Optional.ofNullable(gatewayIdentity));
        RecurringDuty certificateDuty = new RecurringDuty("publishing the gateway certificate",
                settings.attributesCheckInterval(), ceiling, scheduler, certificate::publishIfNeeded);
        Optional<HeadSubscription> heads = p.wsUrl().map(url -> HeadSubscription.open(url, HeadSubscription.STALE_AFTER));
        heads.ifPresent(h -> {
            orders.useHeads(h);
            h.onHead(bidDuty::wake);
            h.onHead(leaseDuty::wake);
            LOG.infof("new blocks from the newHeads subscription at %s", RpcUrls.shown(h.url()));
        });
        running = new Running(connection, reader, bids, leases, registration, bidDuty, leaseDuty, certificateDuty, heads);
        registryDuty.start();
        certificateDuty.start();
        bidDuty.start();
        leaseDuty.start();
        new RecurringDuty("heartbeat", settings.heartbeatInterval(), ceiling, scheduler, heartbeat::beatIfDue).start();
        new RecurringDuty("withdrawing earnings", settings.withdrawInterval(), ceiling, scheduler, earnings::withdrawDue).start();
        LOG.infof("connected to chain %d; bidding as %s", connection.chainId(), provider.address());
    }

    private Registration.Profile profile() {
        String region = settings.region().filter(s -> !s.isBlank()).orElseThrow(() -> new SettingsException(
                "spheron.provider.region is required: the region this provider registers in, e.g. us-east"));
        String gateway = settings.gatewayUrl().filter(s -> !s.isBlank()).orElseThrow(() -> new SettingsException(
                "spheron.provider.gateway-url is required: the manifest gateway's public https URL"));
        if (!gateway.startsWith("https://")) {
            throw new SettingsException("spheron.provider.gateway-url must be an https URL (tenants connect with mutual TLS), not " + gateway);
        }
        return new Registration.Profile(region, settings.zone().orElse(""), gateway, tokens(settings.stake()));
    }

    /** Whole tokens ("2.50") to base units. */
    static BigInteger tokens(BigDecimal whole) {
        return whole.multiply(TOKEN).setScale(0, java.math.RoundingMode.UNNECESSARY).toBigIntegerExact();
    }
}
