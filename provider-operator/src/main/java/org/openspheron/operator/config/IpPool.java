package org.openspheron.operator.config;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The addresses a provider leases to tenants (Akash SDL {@code ip} endpoints), from {@code spheron.operator.ip-pool}:
 * entries that are one address ({@code 203.0.113.10}), a CIDR ({@code 203.0.113.0/28}, every address of it: the
 * pool is for Services, not hosts, so network and broadcast addresses count) or a range
 * ({@code 203.0.113.10-203.0.113.19}), IPv4 or IPv6. A pool holds at most {@link #MAX_SIZE} addresses: more than any
 * cluster serves, and few enough to keep in memory. The addresses must be the operator's alone: it assigns them from
 * what its own GPUDeployments hold.
 */
public final class IpPool {
    /** The most addresses one pool holds. */
    public static final int MAX_SIZE = 65_536;
    public static final IpPool EMPTY = new IpPool(List.of());
    private static final Pattern LITERAL = Pattern.compile("[0-9a-fA-F:.]+");

    private final List<String> addresses;

    private IpPool(List<String> addresses) {
        this.addresses = List.copyOf(addresses);
    }

    /**
     * The pool of {@code entries}.
     *
     * @throws SettingsException for an entry that is not an address, CIDR or range, or a pool past {@link #MAX_SIZE}
     */
    public static IpPool parse(Collection<String> entries) {
        Set<String> out = new LinkedHashSet<>();
        for (String raw : entries) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            BigInteger first;
            BigInteger last;
            int length;
            try {
                if (entry.contains("/")) {
                    String[] parts = entry.split("/", 2);
                    byte[] base = address(parts[0]);
                    length = base.length;
                    int bits = Integer.parseInt(parts[1]);
                    int hostBits = length * 8 - bits;
                    if (bits < 0 || hostBits < 0) {
                        throw new NumberFormatException();
                    }
                    BigInteger size = BigInteger.ONE.shiftLeft(hostBits);
                    first = new BigInteger(1, base).divide(size).multiply(size);
                    last = first.add(size).subtract(BigInteger.ONE);
                } else if (entry.contains("-")) {
                    String[] parts = entry.split("-", 2);
                    byte[] from = address(parts[0].trim());
                    byte[] to = address(parts[1].trim());
                    if (from.length != to.length) {
                        throw new SettingsException("spheron.operator.ip-pool: \"" + entry + "\" mixes IPv4 and IPv6");
                    }
                    length = from.length;
                    first = new BigInteger(1, from);
                    last = new BigInteger(1, to);
                    if (last.compareTo(first) < 0) {
                        throw new SettingsException("spheron.operator.ip-pool: \"" + entry + "\" ends before it starts");
                    }
                } else {
                    byte[] one = address(entry);
                    length = one.length;
                    first = new BigInteger(1, one);
                    last = first;
                }
            } catch (NumberFormatException e) {
                throw new SettingsException("spheron.operator.ip-pool: \"" + entry + "\" is not an address, a CIDR "
                        + "(203.0.113.0/28) or a range (203.0.113.10-203.0.113.19)");
            }
            if (last.subtract(first).add(BigInteger.ONE).add(BigInteger.valueOf(out.size()))
                    .compareTo(BigInteger.valueOf(MAX_SIZE)) > 0) {
                throw new SettingsException("spheron.operator.ip-pool holds more than " + MAX_SIZE + " addresses; list"
                        + " only those the provider routes to its cluster");
            }
            for (BigInteger a = first; a.compareTo(last) <= 0; a = a.add(BigInteger.ONE)) {
                out.add(text(a, length));
            }
        }
        return new IpPool(new ArrayList<>(out));
    }

    /** The pool of {@code entries}, or the empty pool when unset. */
    public static IpPool parse(Optional<? extends Collection<String>> entries) {
        return entries.map(IpPool::parse).orElse(EMPTY);
    }

    public int size() {
        return addresses.size();
    }

    /** The addresses, in the order of the setting. */
    public List<String> addresses() {
        return addresses;
    }

    /** An address literal only: a host name here would be resolved, which a setting must never do. */
    private static byte[] address(String text) {
        if (!LITERAL.matcher(text).matches() || !(text.contains(".") || text.contains(":"))) {
            throw new NumberFormatException(text);
        }
        if (!text.contains(":")) {
            // Dotted quads by hand: InetAddress would look up "203.0.113.300" in DNS as a host name.
            String[] octets = text.split("\\.", -1);
            if (octets.length != 4) {
                throw new NumberFormatException(text);
            }
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(octets[i]);
                if (octets[i].isEmpty() || octets[i].length() > 3 || octet > 255) {
                    throw new NumberFormatException(text);
                }
                bytes[i] = (byte) octet;
            }
            return bytes;
        }
        try {
            return InetAddress.getByName(text).getAddress();
        } catch (UnknownHostException e) {
            throw new NumberFormatException(text);
        }
    }

    private static String text(BigInteger value, int length) {
        byte[] raw = value.toByteArray();
        byte[] bytes = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, bytes, length - copy, copy);
        try {
            return InetAddress.getByAddress(bytes).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return size() + " addresses";
    }
}
