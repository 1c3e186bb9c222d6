package org.openspheron.chain;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * What an order needs besides resources and place, as the bits of {@link OrderSpec#features()} (the contract's
 * {@code OrderSpec.features}, 32 bits kept in a word the order writes anyway, so no extra gas): capabilities some
 * providers lack. A provider's operator does not bid on an order needing one it lacks, nor on one with a bit it does
 * not know (a later version's feature it cannot serve), so the lease goes to a provider that will accept the
 * manifest instead of one whose gateway would refuse it.
 *
 * <p>Storage: Akash's persistent storage classes {@code beta1}, {@code beta2} and {@code beta3} each have a bit; a
 * mounted persistent volume naming any other class sets {@link #STORAGE_OTHER_CLASS} (the order does not carry the
 * name). {@code ram} volumes (memory-backed) and volumes naming no class need nothing.
 *
 * <p>Confidential computing: each TEE type of Akash SDL 2.1's {@code params.tee} has a bit, {@code sev-snp} (4),
 * {@code sev-snp-gpu} (5), {@code tdx} (6) and {@code tdx-gpu} (7).
 *
 * <p>Leased IPs: bits 8-15 hold how many leased IP addresses the order needs (Akash SDL's {@code ip} endpoints, one
 * address per endpoint, shared by the services that name it), 0 to 255. Bits 16-31 are reserved.
 */
public final class OrderFeatures {
    public static final long NONE = 0;
    public static final long STORAGE_BETA1 = 1;
    public static final long STORAGE_BETA2 = 1 << 1;
    public static final long STORAGE_BETA3 = 1 << 2;
    public static final long STORAGE_OTHER_CLASS = 1 << 3;
    public static final long TEE_SEV_SNP = 1 << 4;
    public static final long TEE_SEV_SNP_GPU = 1 << 5;
    public static final long TEE_TDX = 1 << 6;
    public static final long TEE_TDX_GPU = 1 << 7;
    /** The first bit of the leased IP count. */
    public static final int LEASED_IPS_SHIFT = 8;
    /** The most leased IPs an order can ask for. */
    public static final int MAX_LEASED_IPS = 0xFF;
    /** The bits of the leased IP count. */
    public static final long LEASED_IPS = (long) MAX_LEASED_IPS << LEASED_IPS_SHIFT;
    /** Every bit this version knows. */
    public static final long KNOWN = STORAGE_BETA1 | STORAGE_BETA2 | STORAGE_BETA3 | STORAGE_OTHER_CLASS
            | TEE_SEV_SNP | TEE_SEV_SNP_GPU | TEE_TDX | TEE_TDX_GPU | LEASED_IPS;
    /** The bits the contract's field holds. */
    public static final long MAX = 0xFFFF_FFFFL;

    private static final List<String> BETA_CLASSES = List.of("beta1", "beta2", "beta3");
    /** The TEE types, in the order of their bits from bit 4. */
    private static final List<String> TEE_TYPES = List.of("sev-snp", "sev-snp-gpu", "tdx", "tdx-gpu");
    private static final int TEE_SHIFT = 4;

    private OrderFeatures() {
    }

    /**
     * The storage bits of mounted persistent volumes naming {@code classes}, as the provider's gateway maps them:
     * null (no class named, the cluster's default) and {@code ram} need none; any name but beta1-3 (also
     * {@code default} written out) is another class.
     */
    public static long ofStorageClasses(Collection<String> classes) {
        long features = NONE;
        for (String name : classes) {
            if (name == null) {
                continue;
            }
            int beta = BETA_CLASSES.indexOf(name);
            if (beta >= 0) {
                features |= 1L << beta;
            } else if (!name.equals("ram")) {
                features |= STORAGE_OTHER_CLASS;
            }
        }
        return features;
    }

    /**
     * The bits of the TEE types {@code types} ({@code sev-snp}, {@code sev-snp-gpu}, {@code tdx}, {@code tdx-gpu}).
     *
     * @throws IllegalArgumentException for another type (the manifest parser refuses those first)
     */
    public static long ofTeeTypes(Collection<String> types) {
        long features = NONE;
        for (String type : types) {
            int i = TEE_TYPES.indexOf(type);
            if (i < 0) {
                throw new IllegalArgumentException("no TEE type " + type + " (" + String.join(", ", TEE_TYPES) + ")");
            }
            features |= 1L << (TEE_SHIFT + i);
        }
        return features;
    }

    /**
     * The bits of an order needing {@code count} leased IP addresses.
     *
     * @throws IllegalArgumentException below 0 or above {@link #MAX_LEASED_IPS}
     */
    public static long ofLeasedIps(int count) {
        if (count < 0 || count > MAX_LEASED_IPS) {
            throw new IllegalArgumentException(count + " leased IPs: an order holds 0 to " + MAX_LEASED_IPS);
        }
        return (long) count << LEASED_IPS_SHIFT;
    }

    /** How many leased IP addresses {@code features} asks for. */
    public static int leasedIps(long features) {
        return (int) ((features & LEASED_IPS) >>> LEASED_IPS_SHIFT);
    }

    /** For people: {@code 1 leased IP}, {@code 2 leased IPs}. */
    public static String leasedIpsText(int count) {
        return count + (count == 1 ? " leased IP" : " leased IPs");
    }

    /** The TEE types {@code features} asks for, in order. */
    public static List<String> teeTypes(long features) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < TEE_TYPES.size(); i++) {
            if ((features & (1L << (TEE_SHIFT + i))) != 0) {
                out.add(TEE_TYPES.get(i));
            }
        }
        return out;
    }

    /** The beta classes {@code features} asks for, in order. */
    public static List<String> storageClasses(long features) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < BETA_CLASSES.size(); i++) {
            if ((features & (1L << i)) != 0) {
                out.add(BETA_CLASSES.get(i));
            }
        }
        return out;
    }

    /** The bits of {@code features} this version does not know. */
    public static long unknown(long features) {
        return features & ~KNOWN;
    }

    /** For people: {@code storage beta3, another storage class} or {@code none}. */
    public static String describe(long features) {
        List<String> parts = new ArrayList<>();
        List<String> classes = storageClasses(features);
        if (!classes.isEmpty()) {
            parts.add("storage " + String.join(", ", classes));
        }
        if ((features & STORAGE_OTHER_CLASS) != 0) {
            parts.add("a storage class other than beta1-3");
        }
        List<String> tee = teeTypes(features);
        if (!tee.isEmpty()) {
            parts.add("TEE " + String.join(", ", tee));
        }
        int ips = leasedIps(features);
        if (ips > 0) {
            parts.add(leasedIpsText(ips));
        }
        if (unknown(features) != 0) {
            parts.add("unknown features 0x" + Long.toHexString(unknown(features)));
        }
        return parts.isEmpty() ? "none" : String.join("; ", parts);
    }
}
