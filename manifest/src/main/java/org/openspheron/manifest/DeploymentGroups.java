package org.openspheron.manifest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A manifest's deployment groups, resource by resource, as Akash's SDL parser builds them for its chain
 * (akash-network/chain-sdk, {@code go/sdl/groupBuilder_v2.go}, {@code groupBuilder_v2_1.go}, {@code storage.go},
 * {@code gpu.go}). A pure function of the manifest; the quantities themselves are Akash's already
 * ({@link ManifestQuantities}).
 * <ul>
 *   <li>One group per placement, groups in name order; deployments taken in order of service name, then placement.</li>
 *   <li>SDL 2.0: each deployment is a resource of its own, even when it shares a compute profile with another.
 *       SDL 2.1: the services deployed with one profile in one placement share a resource and add their counts.
 *       ICL files, which descend from SDL 2.0, are grouped as 2.0 is. Resource ids count from 1 in each group.</li>
 *   <li>Storage: a persistent volume written without a class gets class {@code default}, as Akash records it. The
 *       volumes are in Akash's order: Go's stable sort over its comparator (size first; then, for equal sizes, rules
 *       on the {@code persistent} attribute that do not form a strict order). Go sorts up to 20 elements by
 *       insertion, which is redone here; a profile with more than 20 volumes may come out in another order.</li>
 *   <li>GPUs: one attribute {@code vendor/nvidia/model/<model>[/ram/<n>Gi][/interface/<i>]} per acceptable GPU,
 *       sorted by key, or {@code vendor/nvidia/model/*} for any model; memory in whole GiB, rounded down.</li>
 *   <li>Price: the placement's price of the profile (for ICL, of the service when the profile has none), per
 *       replica, as written.</li>
 * </ul>
 */
public final class DeploymentGroups {
    private static final long GIB = 1L << 30;

    private DeploymentGroups() {
    }

    public static List<DeploymentGroup> of(Manifest manifest) {
        boolean shareProfiles = manifest.format() == ManifestFormat.SDL && manifest.version().equals("2.1");
        List<DeploymentEntry> ordered = manifest.deployments().stream()
                .sorted(Comparator.comparing(DeploymentEntry::service).thenComparing(DeploymentEntry::placement))
                .toList();
        Map<String, List<DeploymentGroup.Resource>> groups = new TreeMap<>();
        for (DeploymentEntry d : ordered) {
            List<DeploymentGroup.Resource> resources = groups.computeIfAbsent(d.placement(), p -> new ArrayList<>());
            int shared = shareProfiles ? indexOfProfile(resources, d.profile()) : -1;
            if (shared >= 0) {
                resources.set(shared, withService(resources.get(shared), d));
            } else {
                resources.add(resource(manifest, d, resources.size() + 1));
            }
        }
        List<DeploymentGroup> out = new ArrayList<>();
        groups.forEach((name, resources) -> out.add(new DeploymentGroup(name, resources)));
        return out;
    }

    /**
     * Refuses a manifest of more than one group. Akash leases each placement on its own (one group, one lease, each
     * with its own provider and price); this version orders one lease per manifest, so a manifest of several
     * placements would be bought as one lease at one provider in the first placement's region. Rather than do that
     * silently, {@code deploy} and the provider's gateway refuse it, naming the placements.
     *
     * @throws ManifestException naming {@code profiles.placement} when the manifest deploys to several placements
     */
    public static void requireOneGroup(Manifest manifest) {
        List<String> used = manifest.deployments().stream().map(DeploymentEntry::placement).distinct().sorted().toList();
        if (used.size() > 1) {
            throw new ManifestException("profiles.placement", "the manifest deploys to " + used.size() + " placements ("
                    + String.join(", ", used) + "): each is an Akash deployment group, leased on its own, and this version "
                    + "orders one lease per manifest; put each placement's services in a file of its own and deploy each");
        }
    }

    private static int indexOfProfile(List<DeploymentGroup.Resource> resources, String profile) {
        for (int i = 0; i < resources.size(); i++) {
            if (resources.get(i).profile().equals(profile)) {
                return i;
            }
        }
        return -1;
    }

    private static DeploymentGroup.Resource withService(DeploymentGroup.Resource r, DeploymentEntry d) {
        List<String> services = new ArrayList<>(r.services());
        services.add(d.service());
        return new DeploymentGroup.Resource(r.id(), r.profile(), services, r.count() + d.count(), r.cpuMilli(),
                r.memoryBytes(), r.storage(), r.gpuUnits(), r.gpus(), r.price());
    }

    private static DeploymentGroup.Resource resource(Manifest manifest, DeploymentEntry d, int id) {
        ComputeProfile p = manifest.profile(d.profile());
        return new DeploymentGroup.Resource(id, p.name(), List.of(d.service()), d.count(), p.cpuMilli(), p.memoryBytes(),
                storage(p.storage()), p.gpuUnits(), gpus(p), manifest.price(d));
    }

    static List<DeploymentGroup.Volume> storage(List<StorageVolume> volumes) {
        List<StorageVolume> sorted = new ArrayList<>(volumes);
        insertionSort(sorted);
        return sorted.stream().map(v -> new DeploymentGroup.Volume(v.name(), v.sizeBytes(),
                v.storageClass() == null && v.persistent() ? "default" : v.storageClass(), v.persistent())).toList();
    }

    /** Go's insertion sort, swap by swap, with Akash's comparator: Go's stable sort for up to 20 volumes. */
    private static void insertionSort(List<StorageVolume> volumes) {
        for (int i = 1; i < volumes.size(); i++) {
            for (int j = i; j > 0 && akashLess(volumes.get(j), volumes.get(j - 1)); j--) {
                volumes.set(j, volumes.set(j - 1, volumes.get(j)));
            }
        }
    }

    /**
     * Akash's storage comparator ({@code v2ResourceStorageArray.sort}). For equal sizes it compares the
     * {@code persistent} attribute as a string where present, and then says "less" for any non-persistent volume,
     * whichever side it is on: so equal-sized ephemeral volumes change places as the sort meets them.
     */
    static boolean akashLess(StorageVolume i, StorageVolume j) {
        if (i.sizeBytes() != j.sizeBytes()) {
            return i.sizeBytes() < j.sizeBytes();
        }
        boolean iHas = i.attributesGiven();
        boolean jHas = j.attributesGiven();
        if (!iHas && jHas || iHas && jHas && !i.persistent() && j.persistent()) {
            return true;
        }
        if (iHas && !jHas) {
            return false;
        }
        if (!i.persistent()) {
            return true;
        }
        if (!j.persistent()) {
            return false;
        }
        return i.name().compareTo(j.name()) < 0;
    }

    private static List<DeploymentGroup.Gpu> gpus(ComputeProfile p) {
        if (!p.hasGpu()) {
            return List.of();
        }
        return p.gpus().stream().map(DeploymentGroups::gpu)
                .sorted(Comparator.comparing(DeploymentGroup.Gpu::attribute))
                .toList();
    }

    private static DeploymentGroup.Gpu gpu(GpuRequirement g) {
        String model = g.model() == null ? "*" : g.model();
        String ram = g.ram() == null ? null : ManifestQuantities.parseBytes(g.ram()) / GIB + "Gi";
        StringBuilder key = new StringBuilder("vendor/").append(g.vendor()).append("/model/").append(model);
        if (ram != null) {
            key.append("/ram/").append(ram);
        }
        if (g.interfaceType() != null) {
            key.append("/interface/").append(g.interfaceType());
        }
        return new DeploymentGroup.Gpu(g.vendor(), model, ram, g.interfaceType(), key.toString());
    }
}
