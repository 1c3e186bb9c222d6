package org.openspheron.matchmaker.scoring;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openspheron.chain.Bid;
import org.openspheron.chain.GpuOffer;
import org.openspheron.chain.Order;
import org.openspheron.chain.OrderSpec;
import org.openspheron.chain.OrderState;
import org.openspheron.chain.Provider;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/** Builds an order with bids and provider records, as the chain would hold them, for scoring tests. */
final class Market {
    static final BigInteger MAX_PRICE = BigInteger.valueOf(10_000_000);
    static final BigInteger STAKE = BigInteger.valueOf(100_000_000);

    private long orderId = 1;
    private String region = "eu-west";
    private String zone = "";
    private boolean regionRequired;
    private int gpus = 1;
    private final List<Bid> bids = new ArrayList<>();
    private final Map<String, Provider> providers = new LinkedHashMap<>();

    Market order(long id) {
        this.orderId = id;
        return this;
    }

    Market region(String region, String zone, boolean required) {
        this.region = region;
        this.zone = zone;
        this.regionRequired = required;
        return this;
    }

    Market gpus(int gpus) {
        this.gpus = gpus;
        return this;
    }

    Market bid(ProviderRecord provider, long price) {
        Provider p = provider.build();
        providers.put(p.address(), p);
        bids.add(new Bid(orderId, bids.size(), p.address(), BigInteger.valueOf(price), 10));
        return this;
    }

    Order buildOrder() {
        OrderSpec spec = new OrderSpec(4000, 16384, 100000, gpus, "H100", region, zone, regionRequired, MAX_PRICE, 3600,
                "0x" + "11".repeat(32));
        return new Order(orderId, "0x" + "ee".repeat(20), OrderState.OPEN, 5, 10_000, BigInteger.TEN, 0, null, spec);
    }

    List<Bid> bids() {
        return bids;
    }

    Map<String, Provider> providers() {
        return providers;
    }

    Ranking rank(Scorer scorer, String seed) {
        return scorer.rank(buildOrder(), bids, providers, seed);
    }

    static String seed(long n) {
        return Numeric.toHexString(Hash.sha3(Numeric.toBytesPadded(BigInteger.valueOf(n), 32)));
    }

    static ProviderRecord provider(int n) {
        return new ProviderRecord(n);
    }

    /** A provider record with good defaults: eligible, in eu-west/a, full uptime, 4 free H100, minimum stake. */
    static final class ProviderRecord {
        private final int n;
        String region = "eu-west";
        String zone = "a";
        int uptimeBps = 10_000;
        long completed;
        long failed;
        long servedSeconds;
        int slashes;
        long lastSlashBlock;
        int freeGpus = 4;
        BigInteger stake = STAKE;
        boolean eligible = true;

        ProviderRecord(int n) {
            this.n = n;
        }

        ProviderRecord in(String region, String zone) {
            this.region = region;
            this.zone = zone;
            return this;
        }

        ProviderRecord uptime(int bps) {
            this.uptimeBps = bps;
            return this;
        }

        /** {@code completed} leases of a day's paid service each, and {@code failed} failed ones. */
        ProviderRecord leases(long completed, long failed) {
            this.completed = completed;
            this.servedSeconds = completed * 86_400;
            this.failed = failed;
            return this;
        }

        /** {@code completed} leases that paid for {@code servedSeconds} of service in all. */
        ProviderRecord served(long completed, long servedSeconds) {
            this.completed = completed;
            this.servedSeconds = servedSeconds;
            return this;
        }

        ProviderRecord slashed(int count, long lastBlock) {
            this.slashes = count;
            this.lastSlashBlock = lastBlock;
            return this;
        }

        ProviderRecord freeGpus(int free) {
            this.freeGpus = free;
            return this;
        }

        ProviderRecord stake(BigInteger stake) {
            this.stake = stake;
            return this;
        }

        ProviderRecord ineligible() {
            this.eligible = false;
            return this;
        }

        String address() {
            return String.format("0x%040x", n + 1);
        }

        Provider build() {
            return new Provider(address(), region, zone, "https://p" + n, stake, stake, BigInteger.ZERO, 0, 1,
                    completed, failed, servedSeconds, slashes, lastSlashBlock, BigInteger.ZERO, 1, uptimeBps, eligible,
                    List.of(new GpuOffer("H100", 8, freeGpus)));
        }
    }
}
