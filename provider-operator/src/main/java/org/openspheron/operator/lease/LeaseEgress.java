package org.openspheron.operator.lease;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Where a lease's pods may send traffic outside their lease, as a provider configures it:
 * <ul>
 *   <li>DNS (port 53) to the cluster resolver's pods, selected by {@code dnsPodLabels} in any namespace
 *       ({@code k8s-app=kube-dns} by default, CoreDNS's label in kubeadm, EKS, GKE and most distributions; a
 *       resolver elsewhere or labelled otherwise is a setting), and to {@code dnsResolvers}: addresses outside the
 *       pod network, by default NodeLocal DNSCache's link-local {@code 169.254.20.10}, which the link-local block
 *       below would otherwise cut off wherever it runs;</li>
 *   <li>the internet: every IPv4 address except the private, carrier-grade NAT and link-local ranges
 *       ({@link #NON_INTERNET}), and except the nodes' own addresses, which on many clusters are public: by default
 *       every IPv4 InternalIP and ExternalIP the API server lists for the nodes (kept current as nodes come and go),
 *       or the CIDRs a provider lists instead ({@code blocked}).</li>
 * </ul>
 * IPv4 only: pods get no IPv6 egress at all, so there is nothing to except there.
 */
public final class LeaseEgress {
    /** Never the internet: RFC 1918, carrier-grade NAT, link-local (the cloud metadata service). */
    public static final List<String> NON_INTERNET = List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16");
    /** NodeLocal DNSCache's conventional address. */
    public static final String NODE_LOCAL_DNS = "169.254.20.10/32";
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})(/(\\d{1,2}))?");

    private final List<String> dnsResolvers;
    private final Map<String, String> dnsPodLabels;
    private final Optional<List<String>> blocked;
    private final Supplier<List<Node>> nodes;

    /**
     * @param dnsResolvers addresses or CIDRs pods may query on port 53
     * @param dnsPodLabels {@code key=value} labels of the resolver's pods
     * @param blocked CIDRs to block besides {@link #NON_INTERNET}; empty: the nodes' own addresses
     * @param nodes the cluster's nodes as the operator's informer holds them
     * @throws IllegalArgumentException naming the bad value
     */
    public LeaseEgress(List<String> dnsResolvers, List<String> dnsPodLabels, Optional<List<String>> blocked, Supplier<List<Node>> nodes) {
        this.dnsResolvers = dnsResolvers.stream().map(c -> cidr(c, "spheron.operator.dns-resolvers")).distinct().toList();
        this.dnsPodLabels = labels(dnsPodLabels);
        this.blocked = blocked.map(list -> list.stream().map(c -> cidr(c, "spheron.operator.blocked-egress")).distinct().toList());
        this.nodes = nodes;
    }

    /** The defaults, with no nodes known: for tests of objects only. */
    public static LeaseEgress defaults() {
        return new LeaseEgress(List.of(NODE_LOCAL_DNS), List.of("k8s-app=kube-dns"), Optional.empty(), List::of);
    }

    public List<String> dnsResolvers() {
        return dnsResolvers;
    }

    public Map<String, String> dnsPodLabels() {
        return dnsPodLabels;
    }

    /** The internet rule's {@code except} list: {@link #NON_INTERNET}, then the blocked addresses, sorted. */
    public List<String> except() {
        List<String> except = new ArrayList<>(NON_INTERNET);
        TreeSet<String> more = new TreeSet<>();
        if (blocked.isPresent()) {
            more.addAll(blocked.get());
        } else {
            for (Node node : nodes.get()) {
                if (node.getStatus() == null || node.getStatus().getAddresses() == null) {
                    continue;
                }
                for (NodeAddress address : node.getStatus().getAddresses()) {
                    boolean ip = "InternalIP".equals(address.getType()) || "ExternalIP".equals(address.getType());
                    if (ip && address.getAddress() != null && IPV4.matcher(address.getAddress()).matches()) {
                        String host = cidr(address.getAddress(), "node " + node.getMetadata().getName());
                        if (!insideNonInternet(host)) {
                            more.add(host);
                        }
                    }
                }
            }
        }
        more.removeAll(except);
        except.addAll(more);
        return except;
    }

    private static boolean insideNonInternet(String host) {
        long address = address(host.substring(0, host.indexOf('/')));
        for (String range : NON_INTERNET) {
            int bits = Integer.parseInt(range.substring(range.indexOf('/') + 1));
            long mask = bits == 0 ? 0 : (0xFFFFFFFFL << (32 - bits)) & 0xFFFFFFFFL;
            if ((address & mask) == (address(range.substring(0, range.indexOf('/'))) & mask)) {
                return true;
            }
        }
        return false;
    }

    private static long address(String dotted) {
        long value = 0;
        for (String part : dotted.split("\\.")) {
            value = value << 8 | Integer.parseInt(part);
        }
        return value;
    }

    /** {@code a.b.c.d} or {@code a.b.c.d/n}, IPv4, as a CIDR with the host bits cleared as Kubernetes requires. */
    static String cidr(String value, String where) {
        var m = IPV4.matcher(value.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(where + ": '" + value + "' is not an IPv4 address or CIDR (a.b.c.d or a.b.c.d/n);"
                    + " lease pods get no IPv6 egress, so IPv6 needs no entry");
        }
        long address = 0;
        for (int i = 1; i <= 4; i++) {
            int octet = Integer.parseInt(m.group(i));
            if (octet > 255) {
                throw new IllegalArgumentException(where + ": '" + value + "' is not an IPv4 address");
            }
            address = address << 8 | octet;
        }
        int bits = m.group(6) == null ? 32 : Integer.parseInt(m.group(6));
        if (bits > 32) {
            throw new IllegalArgumentException(where + ": '" + value + "' has a prefix longer than 32 bits");
        }
        long mask = bits == 0 ? 0 : (0xFFFFFFFFL << (32 - bits)) & 0xFFFFFFFFL;
        address &= mask;
        return (address >> 24 & 255) + "." + (address >> 16 & 255) + "." + (address >> 8 & 255) + "." + (address & 255) + "/" + bits;
    }

    private static Map<String, String> labels(List<String> pairs) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq <= 0 || eq == pair.length() - 1) {
                throw new IllegalArgumentException("spheron.operator.dns-pod-labels: '" + pair + "' is not key=value");
            }
            labels.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("spheron.operator.dns-pod-labels: at least one key=value, or the pods get no DNS");
        }
        return labels;
    }
}
