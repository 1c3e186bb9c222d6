package org.openspheron.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.openspheron.manifest.BlockPricing;
import org.openspheron.manifest.DenominationRates;
import org.openspheron.manifest.DeploymentGroup;
import org.openspheron.manifest.DeploymentGroups;
import org.openspheron.manifest.Expose;
import org.openspheron.manifest.Manifest;
import org.openspheron.manifest.Price;

/**
 * The {@code groups} field of {@code spheron validate --json}: each deployment group with the resources of one
 * replica as Akash computes them ({@link DeploymentGroups}), the replica count, and the price of one replica, per
 * block or hour as written and per hour in payment tokens when a rate is known. Each resource lists its endpoints as
 * Akash's kinds ({@code SHARED_HTTP} for a global port published on 80, {@code RANDOM_PORT} for another global port,
 * {@code LEASED_IP} for one also on an ip endpoint, named here rather than numbered), and each group says how many
 * leased IPs it needs: its distinct ip endpoints.
 */
final class GroupsView {
    private GroupsView() {
    }

    static List<Map<String, Object>> of(Manifest manifest, DenominationRates rates) {
        List<Map<String, Object>> groups = new ArrayList<>();
        for (DeploymentGroup g : DeploymentGroups.of(manifest)) {
            Map<String, Object> group = new LinkedHashMap<>();
            group.put("name", g.name());
            group.put("leasedIps", ipEndpoints(manifest, g).size());
            group.put("resources", g.resources().stream().map(r -> resource(manifest, r, rates)).toList());
            groups.add(group);
        }
        return groups;
    }

    private static Map<String, Object> resource(Manifest manifest, DeploymentGroup.Resource r, DenominationRates rates) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", r.id());
        out.put("profile", r.profile());
        out.put("services", r.services());
        out.put("count", r.count());
        out.put("cpuMilli", r.cpuMilli());
        out.put("memoryBytes", r.memoryBytes());
        out.put("storage", r.storage().stream().map(GroupsView::volume).toList());
        out.put("storageBytesByClass", byClass(r.storage()));
        Map<String, Object> gpu = new LinkedHashMap<>();
        gpu.put("units", r.gpuUnits());
        gpu.put("models", r.gpus().stream().map(GroupsView::gpu).toList());
        out.put("gpu", gpu);
        out.put("endpoints", endpoints(manifest, r.services()));
        out.put("price", price(r.price(), rates));
        return out;
    }

    /** The ip endpoints the group's services publish on, in order of first use. */
    private static Set<String> ipEndpoints(Manifest manifest, DeploymentGroup g) {
        Set<String> names = new LinkedHashSet<>();
        for (DeploymentGroup.Resource r : g.resources()) {
            for (String service : r.services()) {
                manifest.service(service).expose().stream().map(Expose::ip).filter(Objects::nonNull).forEach(names::add);
            }
        }
        return names;
    }

    /** One endpoint per global port, and a leased IP after it where the port is on an ip endpoint, as Akash lists them. */
    private static List<Map<String, Object>> endpoints(Manifest manifest, List<String> services) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String service : services) {
            for (Expose e : manifest.service(service).expose()) {
                if (!e.global()) {
                    continue;
                }
                out.add(Map.of("kind", e.isHttp() ? "SHARED_HTTP" : "RANDOM_PORT"));
                if (e.ip() != null) {
                    Map<String, Object> leased = new LinkedHashMap<>();
                    leased.put("kind", "LEASED_IP");
                    leased.put("endpoint", e.ip());
                    out.add(leased);
                }
            }
        }
        return out;
    }

    private static Map<String, Object> volume(DeploymentGroup.Volume v) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", v.name());
        out.put("bytes", v.bytes());
        out.put("class", v.storageClass());
        out.put("persistent", v.persistent());
        return out;
    }

    /** Bytes per class, in order of first appearance; a volume with no class is {@code ephemeral}, as Akash's providers count it. */
    private static Map<String, Long> byClass(List<DeploymentGroup.Volume> storage) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (DeploymentGroup.Volume v : storage) {
            out.merge(v.storageClass() == null ? "ephemeral" : v.storageClass(), v.bytes(), Long::sum);
        }
        return out;
    }

    private static Map<String, Object> gpu(DeploymentGroup.Gpu g) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("vendor", g.vendor());
        out.put("model", g.model());
        out.put("ram", g.ram());
        out.put("interface", g.interfaceType());
        out.put("attribute", g.attribute());
        return out;
    }

    /** One replica's price as written, and per hour in tokens (six decimals, rounded down) or null without a rate. */
    private static Map<String, Object> price(Price price, DenominationRates rates) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("denom", price.denomination());
        out.put("amount", price.amount().stripTrailingZeros().toPlainString());
        out.put("per", price.perHour() ? "hour" : "block");
        Optional<String> perHour = price.perHour() ? Optional.of(out.get("amount").toString())
                : rates.of(price.denomination()).map(rate -> TokenAmount.plain(BlockPricing.baseUnitsPerHour(price.amount(), 1, rate)));
        out.put("perHour", perHour.orElse(null));
        return out;
    }
}
