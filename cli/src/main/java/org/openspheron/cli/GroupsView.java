package org.openspheron.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.openspheron.manifest.BlockPricing;
import org.openspheron.manifest.DenominationRates;
import org.openspheron.manifest.DeploymentGroup;
import org.openspheron.manifest.DeploymentGroups;
import org.openspheron.manifest.Manifest;
import org.openspheron.manifest.Price;

/**
 * The {@code groups} field of {@code spheron validate --json}: each deployment group with the resources of one
 * replica as Akash computes them ({@link DeploymentGroups}), the replica count, and the price of one replica, per
 * block or hour as written and per hour in payment tokens when a rate is known.
 */
final class GroupsView {
    private GroupsView() {
    }

    static List<Map<String, Object>> of(Manifest manifest, DenominationRates rates) {
        List<Map<String, Object>> groups = new ArrayList<>();
        for (DeploymentGroup g : DeploymentGroups.of(manifest)) {
            Map<String, Object> group = new LinkedHashMap<>();
            group.put("name", g.name());
            group.put("resources", g.resources().stream().map(r -> resource(r, rates)).toList());
            groups.add(group);
        }
        return groups;
    }

    private static Map<String, Object> resource(DeploymentGroup.Resource r, DenominationRates rates) {
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
        out.put("price", price(r.price(), rates));
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
