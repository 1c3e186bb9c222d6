package org.openspheron.operator.gateway;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.openspheron.chain.Lease;
import org.openspheron.chain.OrderSpec;
import org.openspheron.chain.Provider;
import org.openspheron.chain.ProtocolReader;

/**
 * What the gateway reads from the chain, with short-lived caching so that a burst of requests (a CLI polling
 * status, a log stream) does not turn into a burst of RPC calls. Only answers that exist are cached: a certificate
 * published a moment ago or a lease created a moment ago is seen at once, while a revoked certificate is honoured
 * for at most {@code certificateTtl} and a closed lease looks active for at most {@code leaseTtl}.
 */
final class ChainView {
    private final ProtocolReader reader;
    private final Expiring<String, Boolean> certificates;
    private final Expiring<Long, Lease> leases;
    private final Expiring<String, Provider> providers;
    private final Expiring<String, Integer> activeLeases;
    /** An order's spec, and so its manifest hash, never changes once created: cached for good. */
    private final Map<Long, OrderSpec> orderSpecs = new ConcurrentHashMap<>();

    ChainView(ProtocolReader reader, Duration certificateTtl, Duration leaseTtl) {
        this(reader, certificateTtl, leaseTtl, System::nanoTime);
    }

    ChainView(ProtocolReader reader, Duration certificateTtl, Duration leaseTtl, LongSupplier clock) {
        this.reader = reader;
        this.certificates = new Expiring<>(certificateTtl, clock);
        this.leases = new Expiring<>(leaseTtl, clock);
        this.providers = new Expiring<>(certificateTtl, clock);
        this.activeLeases = new Expiring<>(leaseTtl, clock);
    }

    /** Whether {@code account} vouches for the certificate {@code fingerprint} in the CertificateRegistry. */
    boolean vouches(String account, String fingerprint) {
        String key = account.toLowerCase() + "/" + fingerprint.toLowerCase();
        return certificates.get(key, k -> reader.certificateValid(account, fingerprint)
                ? Optional.of(Boolean.TRUE) : Optional.empty()).isPresent();
    }

    Optional<Lease> lease(long leaseId) {
        return leases.get(leaseId, reader::lease);
    }

    /** The lease as the chain holds it right now, bypassing the cache: for decisions that must not be stale. */
    Optional<Lease> freshLease(long leaseId) {
        leases.forget(leaseId);
        return lease(leaseId);
    }

    /** {@link org.openspheron.chain.ChainConnection#nextBlockTimeAtLeast()}. */
    long chainTime() {
        return reader.connection().nextBlockTimeAtLeast();
    }

    /** The canonical manifest hash the lease's order carries, lower-case 0x-prefixed hex. */
    String manifestHash(long orderId) {
        return orderSpec(orderId).manifestHash().toLowerCase();
    }

    /** What the lease's order bought: the resources, the GPU model and the manifest hash. */
    OrderSpec orderSpec(long orderId) {
        return orderSpecs.computeIfAbsent(orderId, id -> reader.requireOrder(id).spec());
    }

    Optional<Provider> provider(String address) {
        return providers.get(address.toLowerCase(), reader::provider);
    }

    int activeLeaseCount(String provider) {
        return activeLeases.get(provider.toLowerCase(), p -> Optional.of(reader.activeLeasesOf(p).size())).orElse(0);
    }

    /** A map whose present values expire; absent answers are never stored. */
    private static final class Expiring<K, V> {
        private record Entry<V>(V value, long expiresAt) {
        }

        private final long ttlNanos;
        private final LongSupplier clock;
        private final Map<K, Entry<V>> entries = new ConcurrentHashMap<>();

        Expiring(Duration ttl, LongSupplier clock) {
            this.ttlNanos = ttl.toNanos();
            this.clock = clock;
        }

        Optional<V> get(K key, Function<K, Optional<V>> load) {
            long now = clock.getAsLong();
            Entry<V> entry = entries.get(key);
            if (entry != null && now - entry.expiresAt() < 0) {
                return Optional.of(entry.value());
            }
            Optional<V> loaded = load.apply(key);
            if (loaded.isPresent() && ttlNanos > 0) {
                entries.put(key, new Entry<>(loaded.get(), now + ttlNanos));
            } else {
                entries.remove(key);
            }
            return loaded;
        }

        void forget(K key) {
            entries.remove(key);
        }
    }
}
