package org.openspheron.matchmaker.scoring;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.openspheron.chain.Bid;
import org.openspheron.chain.Order;
import org.openspheron.chain.OrderSpec;
import org.openspheron.chain.Provider;

/**
 * Ranks an order's bids. A pure function of (order, bids, provider records, seed, policy): no clock, no chain, no
 * shared state, so every operator holding the same chain state computes the same ranking and the same pick. Time
 * enters only as the order's bid-window end block, which is on chain. Floating point is Java's strict IEEE 754
 * (the default since Java 17) with {@link StrictMath}, so the scores are bit-identical on every platform.
 */
public final class Scorer {
    /** Placement credit for a provider in the asked region but another zone; an exact zone earns the full weight. */
    static final double SAME_REGION = 0.5;
    /** Slashes beyond this many count no more: the penalty is already the full weight. */
    static final int SLASHES_FOR_FULL_PENALTY = 4;
    /** Paid service that weighs as much as one failed lease in reputation: a day. */
    static final long SERVED_SECONDS_PER_CREDIT = 86_400;

    /**
     * Qualifying bids first, then the higher score, then the lower bid index. Written out rather than composed from
     * {@code Comparator.comparing} so a sort of 1,000 bids boxes no Double per comparison: that garbage, not the
     * arithmetic, was what pushed the p99 up.
     */
    private static final Comparator<RankedBid> BEST_FIRST = Scorer::bestFirst;

    private final ScoringPolicy policy;
    private final String fingerprint;

    public Scorer(ScoringPolicy policy) {
        this.policy = policy;
        this.fingerprint = policy.fingerprint();
    }

    public ScoringPolicy policy() {
        return policy;
    }

    /**
     * @param providers provider records by address (any letter case); a bid whose provider is missing cannot win
     * @param seed the order's on-chain seed, 0x-prefixed 32 bytes
     */
    public Ranking rank(Order order, List<Bid> bids, Map<String, Provider> providers, String seed) {
        Map<String, Provider> byAddress = null;
        List<RankedBid> ranked = new ArrayList<>(bids.size());
        for (Bid bid : bids) {
            Provider provider = providers.get(bid.provider());
            if (provider == null) {
                // Addresses may differ in letter case (checksummed or not); index once, only when needed.
                if (byAddress == null) {
                    byAddress = new java.util.HashMap<>();
                    for (Map.Entry<String, Provider> e : providers.entrySet()) {
                        byAddress.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue());
                    }
                }
                provider = byAddress.get(bid.provider().toLowerCase(Locale.ROOT));
            }
            ranked.add(score(order, bid, provider));
        }
        ranked.sort(BEST_FIRST);
        List<RankedBid> candidates = candidates(ranked);
        if (candidates.isEmpty()) {
            return new Ranking(order.id(), seed, ranked, candidates, BigInteger.ZERO, Optional.empty(), fingerprint);
        }
        BigInteger total = StakeDraw.totalStake(candidates);
        if (total.signum() == 0) {
            // No stake to weigh by (a registry without a minimum stake): the best score wins outright.
            return new Ranking(order.id(), seed, ranked, candidates, BigInteger.ZERO, Optional.of(candidates.get(0)), fingerprint);
        }
        BigInteger draw = StakeDraw.value(seed, order.id(), total);
        return new Ranking(order.id(), seed, ranked, candidates, draw, Optional.of(StakeDraw.pick(candidates, draw)), fingerprint);
    }

    private static int bestFirst(RankedBid a, RankedBid b) {
        if (a.qualifies() != b.qualifies()) {
            return a.qualifies() ? -1 : 1;
        }
        int byScore = Double.compare(b.score(), a.score());
        return byScore != 0 ? byScore : Integer.compare(a.bid().index(), b.bid().index());
    }

    /** The qualifying bids within the policy's margin of the best score, at most draw-size of them. */
    private List<RankedBid> candidates(List<RankedBid> ranked) {
        List<RankedBid> out = new ArrayList<>();
        if (ranked.isEmpty() || !ranked.get(0).qualifies()) {
            return out;
        }
        double best = ranked.get(0).score();
        for (RankedBid r : ranked) {
            if (!r.qualifies() || out.size() == policy.drawSize() || best - r.score() > policy.drawMargin()) {
                break;
            }
            out.add(r);
        }
        return out;
    }

    RankedBid score(Order order, Bid bid, Provider provider) {
        OrderSpec spec = order.spec();
        ScoringPolicy.Weights w = policy.weights();
        if (provider == null || !provider.isRegistered()) {
            return excluded(bid, "provider " + bid.provider() + " is not registered");
        }
        double placement = placement(spec, provider);
        double availability = availability(spec, provider);
        Breakdown breakdown = new Breakdown(
                w.placement() * placement,
                w.price() * price(spec, bid),
                w.uptime() * Math.min(1.0, provider.uptimeBps() / 10_000.0),
                w.reputation() * reputation(provider),
                w.availability() * availability,
                -w.slashes() * slashPenalty(provider, order.bidWindowEnd()));
        String exclusion = null;
        if (!provider.eligible()) {
            exclusion = "provider is not eligible (stake below the minimum)";
        } else if (spec.regionRequired() && !sameRegion(spec, provider)) {
            exclusion = "order requires region " + spec.region() + ", provider is in " + provider.region();
        } else if (policy.requireAvailableGpus() && spec.gpuCount() > 0 && availability < 1.0) {
            exclusion = "provider advertises " + provider.availableGpus(spec.gpuModel()) + " free " + spec.gpuModel()
                    + ", order asks " + spec.gpuCount();
        } else if (bid.pricePerHour().compareTo(spec.maxPricePerHour()) > 0) {
            exclusion = "price " + bid.pricePerHour() + " is above the order's maximum " + spec.maxPricePerHour();
        }
        return new RankedBid(bid, breakdown, provider.effectiveStake(), exclusion);
    }

    private static RankedBid excluded(Bid bid, String reason) {
        return new RankedBid(bid, new Breakdown(0, 0, 0, 0, 0, 0), BigInteger.ZERO, reason);
    }

    /** Exact zone 1, same region {@link #SAME_REGION}, elsewhere 0; an order with no region is indifferent (1). */
    static double placement(OrderSpec spec, Provider provider) {
        if (spec.region().isEmpty()) {
            return 1.0;
        }
        if (!sameRegion(spec, provider)) {
            return 0.0;
        }
        if (spec.zone().isEmpty() || spec.zone().equalsIgnoreCase(provider.zone())) {
            return 1.0;
        }
        return SAME_REGION;
    }

    private static boolean sameRegion(OrderSpec spec, Provider provider) {
        return spec.region().equalsIgnoreCase(provider.region());
    }

    /** The bid's discount on the order's maximum price, in [0, 1): a bid at the maximum earns nothing. */
    static double price(OrderSpec spec, Bid bid) {
        BigInteger max = spec.maxPricePerHour();
        if (max.signum() <= 0 || bid.pricePerHour().compareTo(max) >= 0) {
            return 0.0;
        }
        // BigInteger.doubleValue rounds exactly and IEEE division is deterministic: the same on every operator.
        return max.subtract(bid.pricePerHour()).doubleValue() / max.doubleValue();
    }

    /**
     * Days of service tenants paid for against failed leases, with one of each assumed (Laplace), so a newcomer
     * scores 0.5. Paid time, not the count of leases: a lease confirmed and closed at once (self-dealing costs only
     * gas) adds nothing, and each day of reputation takes a day of a funded lease.
     */
    static double reputation(Provider provider) {
        double served = (double) provider.servedSeconds() / SERVED_SECONDS_PER_CREDIT;
        double failed = provider.leasesFailed();
        return (served + 1.0) / (served + failed + 2.0);
    }

    /** Free GPUs of the asked model over the GPUs asked, capped at 1; 1 for an order without GPUs. */
    static double availability(OrderSpec spec, Provider provider) {
        if (spec.gpuCount() == 0) {
            return 1.0;
        }
        return Math.min(1.0, (double) provider.availableGpus(spec.gpuModel()) / spec.gpuCount());
    }

    /**
     * In [0, 1]: the share of slashes up to {@link #SLASHES_FOR_FULL_PENALTY}, of which half always counts and half
     * fades with the age of the last slash (halving every half-life), so a recent slash weighs more.
     */
    double slashPenalty(Provider provider, long atBlock) {
        if (provider.slashCount() == 0) {
            return 0.0;
        }
        double count = Math.min(1.0, (double) provider.slashCount() / SLASHES_FOR_FULL_PENALTY);
        long age = Math.max(0, atBlock - provider.lastSlashBlock());
        double recency = StrictMath.pow(0.5, (double) age / policy.slashHalfLifeBlocks());
        return count * (0.5 + 0.5 * recency);
    }
}
