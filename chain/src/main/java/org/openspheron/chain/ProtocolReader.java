package org.openspheron.chain;

import io.reactivex.disposables.Disposable;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.openspheron.contracts.generated.CertificateRegistry;
import org.openspheron.contracts.generated.DeploymentOrder;
import org.openspheron.contracts.generated.MatchmakerSet;
import org.openspheron.contracts.generated.PaymentToken;
import org.openspheron.contracts.generated.ProviderRegistry;
import org.web3j.abi.EventEncoder;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.RemoteFunctionCall;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.utils.Numeric;

/** Reads the protocol's state and events. Holds no key; safe to share. */
public final class ProtocolReader {
    /** Bids per getBids call: the contract's MAX_BIDS_PAGE. */
    static final int BIDS_PAGE = 500;
    /** Views read in one {@link ViewBatch} call by the batched reads of providers. */
    static final int VIEWS_PER_CALL = 100;
    private static final String[] CLOSE_REASONS =
            {"TenantClosed", "ProviderClosed", "FundsExhausted", "DurationEnded", "DeploymentMissed",
                    "ManifestNotReceived", "DeploymentNotReady"};

    /** The contract's CloseReason by ordinal; a value a newer contract added reads as {@code CloseReason(n)}. */
    static String closeReason(BigInteger ordinal) {
        return ordinal.signum() >= 0 && ordinal.compareTo(BigInteger.valueOf(CLOSE_REASONS.length)) < 0
                ? CLOSE_REASONS[ordinal.intValue()] : "CloseReason(" + ordinal + ")";
    }

    private final ChainConnection connection;
    private final DeploymentOrder orders;
    private final ProviderRegistry registry;
    private final CertificateRegistry certificates;
    private final PaymentToken token;
    private final MatchmakerSet matchmakers;
    private final ViewBatch views;

    public ProtocolReader(ChainConnection connection) {
        this.connection = connection;
        this.views = new ViewBatch(connection.web3j(), VIEWS_PER_CALL);
        var addresses = connection.addresses();
        var tx = connection.readOnly();
        var gas = connection.gasProvider();
        this.orders = DeploymentOrder.load(addresses.orders(), connection.web3j(), tx, gas);
        this.registry = ProviderRegistry.load(addresses.registry(), connection.web3j(), tx, gas);
        this.certificates = CertificateRegistry.load(addresses.certificates(), connection.web3j(), tx, gas);
        this.token = PaymentToken.load(addresses.token(), connection.web3j(), tx, gas);
        this.matchmakers = MatchmakerSet.load(addresses.matchmakers(), connection.web3j(), tx, gas);
    }

    public ChainConnection connection() {
        return connection;
    }

    /** Blocks after an order's bid window in which it may be matched; after them it expires. Immutable. */
    public long matchWindowBlocks() {
        return call("matchWindowBlocks", orders.matchWindowBlocks()).longValueExact();
    }

    /** Whether the provider may bid and be matched now (registered, staked, not failing its heartbeats). */
    public boolean isEligible(String provider) {
        return call("isEligible(" + provider + ")", registry.isEligible(provider));
    }

    public long blockNumber() {
        return connection.blockNumber();
    }

    /**
     * The order, or empty when no order has that id.
     *
     * @throws UnreadableOrderException when a field of its spec is past the protocol's limits (an order only a
     *         contract deployed before those limits can hold): a reader of many orders passes over this one
     */
    public Optional<Order> order(long orderId) {
        DeploymentOrder.Order o = call("getOrder(" + orderId + ")", orders.getOrder(BigInteger.valueOf(orderId)));
        OrderState state = OrderState.of(o.state);
        if (state == OrderState.NONE) {
            return Optional.empty();
        }
        DeploymentOrder.OrderSpec s = call("getOrderSpec(" + orderId + ")", orders.getOrderSpec(BigInteger.valueOf(orderId)));
        return Optional.of(order(orderId, o, s));
    }

    /** The order from its two reads; {@link UnreadableOrderException} as {@link #order(long)}. */
    static Order order(long orderId, DeploymentOrder.Order o, DeploymentOrder.OrderSpec s) {
        String seed = isZero(o.seed) ? null : Numeric.toHexString(o.seed);
        return new Order(orderId, o.tenant, OrderState.of(o.state), o.createdBlock.longValueExact(),
                o.bidWindowEnd.longValueExact(), o.deposit, o.leaseId.longValueExact(), seed, spec(orderId, s));
    }

    /** The order contract's wrapper, for readers that encode its calls themselves (in batches). */
    DeploymentOrder ordersContract() {
        return orders;
    }

    /** The order's state, window and lease, without its spec (one call); empty when no order has that id. */
    public Optional<OrderStatus> orderStatus(long orderId) {
        DeploymentOrder.Order o = call("getOrder(" + orderId + ")", orders.getOrder(BigInteger.valueOf(orderId)));
        OrderState state = OrderState.of(o.state);
        if (state == OrderState.NONE) {
            return Optional.empty();
        }
        return Optional.of(new OrderStatus(orderId, state, o.bidWindowEnd.longValueExact(),
                o.leaseId.longValueExact(), isZero(o.seed) ? null : Numeric.toHexString(o.seed)));
    }

    /** The order, or a {@link ChainException} naming the unknown id. */
    public Order requireOrder(long orderId) {
        return order(orderId).orElseThrow(() -> new ChainException("unknown order " + orderId));
    }

    public long orderCount() {
        return call("orderCount", orders.orderCount()).longValueExact();
    }

    /** The live orders' ids in one call; its gas grows with them, so a busy market is read by range instead. */
    public List<Long> openOrderIds() {
        return longs(call("openOrderIds", orders.openOrderIds()));
    }

    /**
     * The lowest id that may still be live: every open, unexpired order is in [this, {@link #orderCount()}]
     * ({@code orderCount() + 1} when none is). One call of fixed cost however large the market.
     */
    public long firstLiveOrderId() {
        return call("firstLiveOrderId", orders.firstLiveOrderId()).longValueExact();
    }

    /** An order's bids, read page by page: an order has no cap on bids, so one call could grow past a node's limit. */
    public List<Bid> bids(long orderId) {
        return bids(orderId, BIDS_PAGE);
    }

    List<Bid> bids(long orderId, int pageSize) {
        BigInteger id = BigInteger.valueOf(orderId);
        List<Bid> bids = new ArrayList<>();
        while (true) {
            List<?> raw = call("getBids(" + orderId + ", " + bids.size() + ")",
                    orders.getBids(id, BigInteger.valueOf(bids.size()), BigInteger.valueOf(pageSize)));
            for (Object o : raw) {
                DeploymentOrder.Bid b = (DeploymentOrder.Bid) o;
                bids.add(new Bid(orderId, bids.size(), b.provider, b.pricePerHour, b.placedBlock.longValueExact()));
            }
            if (raw.size() < pageSize) {
                return bids;
            }
        }
    }

    public Optional<Lease> lease(long leaseId) {
        DeploymentOrder.Lease l = call("getLease(" + leaseId + ")", orders.getLease(BigInteger.valueOf(leaseId)));
        LeaseState state = LeaseState.of(l.state);
        if (state == LeaseState.NONE) {
            return Optional.empty();
        }
        return Optional.of(new Lease(leaseId, l.orderId.longValueExact(), l.tenant, l.provider, l.pricePerHour, state,
                l.createdAt.longValueExact(), l.confirmDeadline.longValueExact(), l.confirmedAt.longValueExact(),
                l.endsAt.longValueExact(), l.balance, l.paid));
    }

    public Lease requireLease(long leaseId) {
        return lease(leaseId).orElseThrow(() -> new ChainException("unknown lease " + leaseId));
    }

    public long leaseCount() {
        return call("leaseCount", orders.leaseCount()).longValueExact();
    }

    public List<Long> activeLeasesOf(String provider) {
        return longs(call("activeLeasesOf", orders.activeLeasesOf(provider)));
    }

    /**
     * The provider's active leases as they stood at {@code block}: with {@code block} some confirmations below the
     * head, what a reorg of fewer blocks cannot take back. Needs the node to still hold that block's state.
     */
    public List<Long> activeLeasesOfAt(String provider, long block) {
        DeploymentOrder atBlock = DeploymentOrder.load(connection.addresses().orders(), connection.web3j(),
                connection.readOnly(), connection.gasProvider());
        atBlock.setDefaultBlockParameter(DefaultBlockParameter.valueOf(BigInteger.valueOf(block)));
        return longs(call("activeLeasesOf@" + block, atBlock.activeLeasesOf(provider)));
    }

    public List<Long> tenantLeasesOf(String tenant) {
        return longs(call("tenantLeasesOf", orders.tenantLeasesOf(tenant)));
    }

    /** What {@code account} can claim from the order contract: refunds and payments settled by others. */
    public BigInteger claimable(String account) {
        return call("claimableOf(" + account + ")", orders.claimableOf(account));
    }

    public BigInteger accrued(long leaseId) {
        return call("accrued(" + leaseId + ")", orders.accrued(BigInteger.valueOf(leaseId)));
    }

    /**
     * The order's randomness seed, keccak(blockhash(bidWindowEnd), orderId), or empty while it cannot be read: the
     * bid window is still open, or the window's block hash has aged out (the order is then past its match deadline,
     * which is at most 255 blocks after the window, and can no longer be matched).
     */
    public Optional<String> seed(long orderId) {
        return seed(requireOrder(orderId), blockNumber());
    }

    /**
     * The seed of an order already in hand (from the index, say) as of block {@code head}: one call, or none once the
     * match anchored it. Empty under the same conditions as {@link #seed(long)}.
     */
    public Optional<String> seed(Order order, long head) {
        if (order.anchoredSeed() != null) {
            return Optional.of(order.anchoredSeed());
        }
        if (!order.biddingClosedAt(head)) {
            return Optional.empty();
        }
        byte[] seed = call("seedOf(" + order.id() + ")", orders.seedOf(BigInteger.valueOf(order.id())));
        return isZero(seed) ? Optional.empty() : Optional.of(Numeric.toHexString(seed));
    }

    /** How many bids the order has: one call, to check a list of bids held elsewhere is complete. */
    public int bidCount(long orderId) {
        return call("bidCount(" + orderId + ")", orders.bidCount(BigInteger.valueOf(orderId))).intValueExact();
    }

    /** The EIP-712 digest the matchmakers sign for matching {@code bidIndex} of the order under {@code seed}. */
    public byte[] matchDigest(long orderId, int bidIndex, String seed) {
        return call("matchDigest", orders.matchDigest(BigInteger.valueOf(orderId), BigInteger.valueOf(bidIndex),
                Numeric.hexStringToByteArray(seed)));
    }

    /** The provider's record, or empty when the address never registered. */
    public Optional<Provider> provider(String address) {
        return provider(address, registry);
    }

    /**
     * The provider's record as it was at {@code block}, so that operators scoring at different times see the same
     * state. Needs the node to still hold that block's state (full nodes keep the recent ones).
     */
    public Optional<Provider> providerAt(String address, long block) {
        ProviderRegistry atBlock = ProviderRegistry.load(connection.addresses().registry(), connection.web3j(),
                connection.readOnly(), connection.gasProvider());
        atBlock.setDefaultBlockParameter(DefaultBlockParameter.valueOf(BigInteger.valueOf(block)));
        return provider(address, atBlock);
    }

    private Optional<Provider> provider(String address, ProviderRegistry registry) {
        ProviderRegistry.Provider p = call("getProvider(" + address + ")", registry.getProvider(address));
        if (p.registeredBlock.signum() == 0) {
            return Optional.empty();
        }
        var gpus = call("getGpus(" + address + ")", registry.getGpus(address));
        int uptime = call("uptimeBps", registry.uptimeBps(address)).intValueExact();
        boolean eligible = call("isEligible", registry.isEligible(address));
        return Optional.of(provider(address, p, gpus.component1(), gpus.component2(), gpus.component3(), uptime,
                eligible));
    }

    /**
     * The records of {@code addresses} as {@link #providerAt} reads them, all as of {@code block}, four views a
     * provider in one {@link ViewBatch} call per {@value #VIEWS_PER_CALL} views: deciding an order whose bidders bid
     * in the same block costs one call, not four per bidder. Keyed by the addresses as given; empty for an address
     * that had not registered by then.
     */
    public java.util.Map<String, Optional<Provider>> providersAt(java.util.Collection<String> addresses, long block) {
        List<String> unique = List.copyOf(new java.util.LinkedHashSet<>(addresses));
        List<RemoteFunctionCall<?>> calls = new ArrayList<>(unique.size() * 4);
        for (String address : unique) {
            calls.add(registry.getProvider(address));
            calls.add(registry.getGpus(address));
            calls.add(registry.uptimeBps(address));
            calls.add(registry.isEligible(address));
        }
        List<List<org.web3j.abi.datatypes.Type>> results = views.read(connection.addresses().registry(), calls,
                DefaultBlockParameter.valueOf(BigInteger.valueOf(block)));
        java.util.Map<String, Optional<Provider>> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < unique.size(); i++) {
            var p = (ProviderRegistry.Provider) results.get(4 * i).get(0);
            if (p.registeredBlock.signum() == 0) {
                out.put(unique.get(i), Optional.empty());
                continue;
            }
            List<org.web3j.abi.datatypes.Type> gpus = results.get(4 * i + 1);
            out.put(unique.get(i), Optional.of(provider(unique.get(i), p, values(gpus.get(0)), values(gpus.get(1)),
                    values(gpus.get(2)), ((BigInteger) results.get(4 * i + 2).get(0).getValue()).intValueExact(),
                    (Boolean) results.get(4 * i + 3).get(0).getValue())));
        }
        return out;
    }

    /**
     * Whether each of {@code addresses} may be matched now ({@link #isEligible}), in one call per
     * {@value #VIEWS_PER_CALL} providers. Keyed by the addresses as given.
     */
    public java.util.Map<String, Boolean> eligible(java.util.Collection<String> addresses) {
        List<String> unique = List.copyOf(new java.util.LinkedHashSet<>(addresses));
        List<RemoteFunctionCall<?>> calls = new ArrayList<>(unique.size());
        unique.forEach(a -> calls.add(registry.isEligible(a)));
        List<List<org.web3j.abi.datatypes.Type>> results = views.read(connection.addresses().registry(), calls,
                DefaultBlockParameterName.LATEST);
        java.util.Map<String, Boolean> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < unique.size(); i++) {
            out.put(unique.get(i), (Boolean) results.get(i).get(0).getValue());
        }
        return out;
    }

    /** The plain values of an ABI array: strings for string[], BigIntegers for uint[]. */
    @SuppressWarnings("unchecked")
    private static <T> List<T> values(org.web3j.abi.datatypes.Type array) {
        List<T> out = new ArrayList<>();
        for (org.web3j.abi.datatypes.Type element : (List<org.web3j.abi.datatypes.Type>) array.getValue()) {
            out.add((T) element.getValue());
        }
        return out;
    }

    private static Provider provider(String address, ProviderRegistry.Provider p, List<String> models,
                                     List<BigInteger> counts, List<BigInteger> memories, int uptime,
                                     boolean eligible) {
        List<GpuOffer> offers = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            offers.add(new GpuOffer(models.get(i), counts.get(i).intValueExact(), memories.get(i).intValueExact()));
        }
        return new Provider(address, p.region, p.zone, p.gatewayUrl, p.stake,
                p.stake.subtract(p.unstakeAmount), p.unstakeAmount, p.unstakeReadyBlock.longValueExact(),
                p.registeredBlock.longValueExact(), p.leasesCompleted.longValueExact(), p.leasesFailed.longValueExact(),
                p.servedSeconds.longValueExact(),
                p.slashCount.intValueExact(), p.lastSlashBlock.longValueExact(), p.totalSlashed,
                p.lastHeartbeatBlock.longValueExact(), uptime, eligible, offers);
    }

    /** Whether {@code address} is a matchmaker operator: only operators' match signatures count. */
    public boolean isOperator(String address) {
        return call("isOperator(" + address + ")", matchmakers.isOperator(address));
    }

    /** How many distinct operator signatures a match needs. */
    public int matchThreshold() {
        return call("threshold", matchmakers.threshold()).intValueExact();
    }

    @SuppressWarnings("unchecked")
    public List<String> providerAddresses() {
        return (List<String>) call("providers", registry.providers());
    }

    /** The matchmaker operators' addresses. */
    @SuppressWarnings("unchecked")
    public List<String> operators() {
        return (List<String>) call("operators", matchmakers.operators());
    }

    /**
     * Whether {@code account} vouches for the certificate fingerprint (32-byte hex): published it and did not revoke
     * it. There is no owner of a fingerprint to ask for: any account may publish any fingerprint, so a check always
     * names the account the certificate has to speak for (the lease's tenant, the lease's provider).
     */
    public boolean certificateValid(String account, String fingerprint) {
        return call("isValid", certificates.isValid(account, Numeric.hexStringToByteArray(fingerprint)));
    }

    /** {@code account}'s entry for the certificate fingerprint (32-byte hex). */
    public CertificateState certificate(String account, String fingerprint) {
        var entry = call("certificate", certificates.certificate(account, Numeric.hexStringToByteArray(fingerprint)));
        return CertificateState.of(entry.component1(), entry.component2());
    }

    /** Slashed stake the registry holds for the treasury until someone sweeps it. */
    public BigInteger slashedUnswept() {
        return call("slashedUnswept", registry.slashedUnswept());
    }

    public BigInteger tokenBalance(String address) {
        return call("balanceOf(" + address + ")", token.balanceOf(address));
    }

    /** Protocol events of the order contract in [fromBlock, toBlock], in chain order. */
    public List<ProtocolEvent> events(long fromBlock, long toBlock) {
        return events(new EthFilter(DefaultBlockParameter.valueOf(BigInteger.valueOf(fromBlock)),
                DefaultBlockParameter.valueOf(BigInteger.valueOf(toBlock)), connection.addresses().orders()),
                fromBlock, toBlock);
    }

    /**
     * The ids of the orders {@code tenant} created in [fromBlock, toBlock], in order, from their
     * {@code ORDER_CREATED} events filtered by the node on the tenant's topic, so only the tenant's own events come
     * back. The whole span is asked at once (nodes that cap a query's results rather than its blocks, as Infura and
     * Alchemy do for a filtered query, answer it in one call); a node that refuses the span for its size gets
     * halves, and the rest is asked at the size it last accepted (about chain age / cap calls, plus one refusal per
     * halving).
     */
    public List<Long> ordersCreatedBy(String tenant, long fromBlock, long toBlock) {
        String tenantTopic = Numeric.toHexStringWithPrefixZeroPadded(Numeric.toBigInt(tenant), 64);
        List<Long> ids = new ArrayList<>();
        long span = Math.max(1, toBlock - fromBlock + 1);
        long start = fromBlock;
        while (start <= toBlock) {
            long end = Math.min(toBlock, start + span - 1);
            EthFilter filter = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.valueOf(start)),
                    DefaultBlockParameter.valueOf(BigInteger.valueOf(end)), connection.addresses().orders());
            filter.addSingleTopic(EventEncoder.encode(DeploymentOrder.ORDER_CREATED_EVENT));
            filter.addNullTopic();
            filter.addSingleTopic(tenantTopic);
            List<ProtocolEvent> events;
            try {
                events = events(filter, start, end);
            } catch (ChainException e) {
                if (end > start && refusedAsTooLarge(e)) {
                    span = Math.max(1, (end - start + 1) / 2);
                    continue;
                }
                throw e;
            }
            for (ProtocolEvent event : events) {
                if (event instanceof ProtocolEvent.OrderCreated created && created.tenant().equalsIgnoreCase(tenant)) {
                    ids.add(created.orderId());
                }
            }
            start = end + 1;
        }
        return ids;
    }

    /**
     * Whether the node refused an {@code eth_getLogs} for the size of its range or result: nodes word it differently
     * (geth "query returned more than 10000 results", Alchemy "block range", Infura "-32005 ... limit exceeded",
     * QuickNode "-32614 eth_getLogs is limited to a 10,000 range"), none as a distinct error kind.
     */
    public static boolean refusedAsTooLarge(ChainException e) {
        String message = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        if (message.contains("rate")) {
            return false;
        }
        return message.contains("too large") || message.contains("too many") || message.contains("more than")
                || message.contains("block range") || message.contains("range") && message.contains("exceed")
                || message.contains("limit exceeded") || message.contains("-32005") || message.contains("-32614")
                || message.contains("is limited to");
    }

    private List<ProtocolEvent> events(EthFilter filter, long fromBlock, long toBlock) {
        EthLog logs;
        try {
            logs = connection.web3j().ethGetLogs(filter).send();
        } catch (java.io.IOException e) {
            throw new ChainException("cannot read logs " + fromBlock + ".." + toBlock + ": " + e.getMessage(), e);
        }
        if (logs.hasError()) {
            throw new ChainException("eth_getLogs failed (" + logs.getError().getCode() + "): " + logs.getError().getMessage());
        }
        List<ProtocolEvent> events = new ArrayList<>();
        for (EthLog.LogResult<?> result : logs.getLogs()) {
            toEvent((Log) result.get()).ifPresent(events::add);
        }
        events.sort(Comparator.comparingLong(ProtocolEvent::blockNumber));
        return events;
    }

    /**
     * Subscribes to the order contract's events from {@code fromBlock} on (web3j polls a log filter). The caller
     * disposes the subscription. Events only wake components up: state is always re-read from the chain.
     */
    public Disposable subscribe(long fromBlock, Consumer<ProtocolEvent> consumer, Consumer<Throwable> onError) {
        EthFilter filter = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.valueOf(fromBlock)),
                DefaultBlockParameterName.LATEST, connection.addresses().orders());
        return connection.web3j().ethLogFlowable(filter)
                .subscribe(log -> toEvent(log).ifPresent(consumer), onError::accept);
    }

    private Optional<ProtocolEvent> toEvent(Log log) {
        if (log.getTopics().isEmpty()) {
            return Optional.empty();
        }
        String topic = log.getTopics().get(0);
        long block = log.getBlockNumber().longValueExact();
        if (topic.equals(EventEncoder.encode(DeploymentOrder.ORDER_CREATED_EVENT))) {
            var e = DeploymentOrder.getORDER_CREATEDEventFromLog(log);
            if (e.gpuCount.compareTo(BigInteger.valueOf(OrderLimits.MAX_GPU_COUNT)) > 0) {
                // An order past the limits (see UnreadableOrderException): no wake-up is worth ending the stream for.
                return Optional.empty();
            }
            return Optional.of(new ProtocolEvent.OrderCreated(e.orderId.longValueExact(), e.tenant,
                    e.gpuCount.intValueExact(), e.gpuModel, e.region, e.maxPricePerHour,
                    e.bidWindowEnd.longValueExact(), e.deposit, block));
        }
        if (topic.equals(EventEncoder.encode(DeploymentOrder.BID_SUBMITTED_EVENT))) {
            var e = DeploymentOrder.getBID_SUBMITTEDEventFromLog(log);
            return Optional.of(new ProtocolEvent.BidSubmitted(e.orderId.longValueExact(), e.provider,
                    e.bidIndex.intValueExact(), e.pricePerHour, block));
        }
        if (topic.equals(EventEncoder.encode(DeploymentOrder.CREATE_LEASE_EVENT))) {
            var e = DeploymentOrder.getCREATE_LEASEEventFromLog(log);
            return Optional.of(new ProtocolEvent.LeaseCreated(e.leaseId.longValueExact(), e.orderId.longValueExact(),
                    e.provider, e.tenant, e.pricePerHour, Numeric.toHexString(e.seed), block));
        }
        if (topic.equals(EventEncoder.encode(DeploymentOrder.ORDER_CANCELLED_EVENT))) {
            var e = DeploymentOrder.getORDER_CANCELLEDEventFromLog(log);
            return Optional.of(new ProtocolEvent.OrderCancelled(e.orderId.longValueExact(), e.refund, block));
        }
        if (topic.equals(EventEncoder.encode(DeploymentOrder.LEASE_CLOSED_EVENT))) {
            var e = DeploymentOrder.getLEASE_CLOSEDEventFromLog(log);
            return Optional.of(new ProtocolEvent.LeaseClosed(e.leaseId.longValueExact(), e.closedBy,
                    closeReason(e.reason), e.paidToProvider, e.refunded, block));
        }
        return Optional.empty();
    }

    /** The spec, each field measured against the protocol's limits before it is narrowed to a Java number. */
    private static OrderSpec spec(long orderId, DeploymentOrder.OrderSpec s) {
        long cpuMilli = within(orderId, "cpuMilli", s.cpuMilli, OrderLimits.MAX_CPU_MILLI);
        long memoryMb = within(orderId, "memoryMb", s.memoryMb, OrderLimits.MAX_MEMORY_MB);
        long storageMb = within(orderId, "storageMb", s.storageMb, OrderLimits.MAX_STORAGE_MB);
        int gpuCount = Math.toIntExact(within(orderId, "gpuCount", s.gpuCount, OrderLimits.MAX_GPU_COUNT));
        long durationSeconds = within(orderId, "durationSeconds", s.durationSeconds, OrderLimits.MAX_DURATION_SECONDS);
        if (s.maxPricePerHour.compareTo(OrderLimits.MAX_PRICE_PER_HOUR) > 0) {
            throw new UnreadableOrderException(orderId, "maxPricePerHour " + s.maxPricePerHour
                    + " is past the protocol's limit of " + OrderLimits.MAX_PRICE_PER_HOUR);
        }
        return new OrderSpec(cpuMilli, memoryMb, storageMb, gpuCount, text(orderId, "gpuModel", s.gpuModel),
                text(orderId, "region", s.region), text(orderId, "zone", s.zone), s.regionRequired,
                s.maxPricePerHour, durationSeconds, Numeric.toHexString(s.manifestHash), s.features.longValueExact());
    }

    private static long within(long orderId, String field, BigInteger value, long limit) {
        if (value.signum() < 0 || value.compareTo(BigInteger.valueOf(limit)) > 0) {
            throw new UnreadableOrderException(orderId, field + " " + value + " is past the protocol's limit of " + limit);
        }
        return value.longValueExact();
    }

    private static String text(long orderId, String field, String value) {
        int bytes = value == null ? 0 : value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > OrderLimits.MAX_TEXT_BYTES) {
            throw new UnreadableOrderException(orderId, field + " is " + bytes + " bytes, past the protocol's limit of "
                    + OrderLimits.MAX_TEXT_BYTES);
        }
        return value;
    }

    static <T> T call(String what, RemoteFunctionCall<T> call) {
        try {
            return call.send();
        } catch (ChainException e) {
            throw e;
        } catch (org.web3j.tx.exceptions.ContractCallException e) {
            throw new ChainException(what + " failed: " + e.getMessage(), e);
        } catch (Exception e) {
            throw new ChainException(what + " failed: " + e.getMessage(), e);
        }
    }

    private static List<Long> longs(List<?> values) {
        List<Long> out = new ArrayList<>(values.size());
        for (Object v : values) {
            out.add(((BigInteger) v).longValueExact());
        }
        return out;
    }

    private static boolean isZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
