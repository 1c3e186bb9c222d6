package org.openspheron.manifest;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A validated deployment manifest, from Spheron ICL or Akash SDL: services, compute profiles, placements and the
 * deployments tying them together. Built only by {@link ManifestParser}, so every reference in it resolves.
 *
 * @param name ICL's {@code profiles.name}, or null
 * @param mode ICL's {@code profiles.mode} ({@code provider} or {@code fizz}), or null
 * @param tiers ICL's {@code profiles.tier}, empty when not given
 * @param duration ICL's {@code profiles.duration}, or null (SDL has none: the order's duration comes from elsewhere)
 * @param canonicalHash see {@link ManifestParser} for its definition: {@code 0x} and 64 hex digits
 * @param canonicalJson the canonical JSON text the hash is taken over
 * @param ipEndpoints the names of the leased IP endpoints ({@code endpoints: {NAME: {kind: ip}}}) in the order they
 *     are declared; the parser makes sure a deployed service uses each, so there are as many as the leased IP
 *     addresses the order needs
 */
public record Manifest(
        ManifestFormat format,
        String version,
        String name,
        String mode,
        List<String> tiers,
        Duration duration,
        Map<String, ServiceSpec> services,
        Map<String, ComputeProfile> profiles,
        Map<String, Placement> placements,
        List<DeploymentEntry> deployments,
        String canonicalHash,
        String canonicalJson,
        List<String> ipEndpoints) {

    public Manifest {
        tiers = List.copyOf(tiers);
        ipEndpoints = List.copyOf(ipEndpoints);
        services = Collections.unmodifiableMap(new LinkedHashMap<>(services));
        profiles = Collections.unmodifiableMap(new LinkedHashMap<>(profiles));
        placements = Collections.unmodifiableMap(new LinkedHashMap<>(placements));
        deployments = List.copyOf(deployments);
    }

    public ServiceSpec service(String name) {
        return services.get(name);
    }

    public ComputeProfile profile(String name) {
        return profiles.get(name);
    }

    /** The deployments of one service (one per placement it is deployed in). */
    public List<DeploymentEntry> deploymentsOf(String service) {
        return deployments.stream().filter(d -> d.service().equals(service)).toList();
    }

    /** Replicas of the service over all its placements. */
    public int replicas(String service) {
        return deploymentsOf(service).stream().mapToInt(DeploymentEntry::count).sum();
    }

    /** GPUs over all deployments and replicas. */
    public int totalGpus() {
        return deployments.stream().mapToInt(d -> profiles.get(d.profile()).gpuUnits() * d.count()).sum();
    }

    /** Every acceptable GPU model named, in order of appearance, without duplicates (case as written). */
    public List<String> gpuModels() {
        Set<String> models = new LinkedHashSet<>();
        for (DeploymentEntry d : deployments) {
            for (GpuRequirement g : profiles.get(d.profile()).gpus()) {
                if (g.model() != null) {
                    models.add(g.model());
                }
            }
        }
        return List.copyOf(models);
    }

    /**
     * Totals over all deployments and replicas, in the units an order on chain uses. A {@code class: ram} volume
     * counts as memory, not storage: it is a tmpfs in the node's RAM, charged to the container's memory limit, and
     * a provider bids (and prices) the RAM it gives up, not disk it does not.
     */
    public ResourceTotals resources() {
        long cpu = 0;
        long memory = 0;
        long storage = 0;
        int gpus = 0;
        String model = null;
        for (DeploymentEntry d : deployments) {
            ComputeProfile p = profiles.get(d.profile());
            cpu += p.cpuMilli() * d.count();
            memory += (p.memoryMib() + p.ramMib()) * d.count();
            storage += p.storageMib() * d.count();
            gpus += p.gpuUnits() * d.count();
            if (model == null && p.hasGpu() && !p.gpus().isEmpty()) {
                model = p.gpus().get(0).orderModel();
            }
        }
        return new ResourceTotals(cpu, memory, storage, gpus, model == null ? "" : model);
    }

    /**
     * The storage classes of the persistent volumes that deployed services mount, as written ({@code null} where a
     * volume names none): what a provider must map to StorageClasses of its cluster. {@code ram} volumes and
     * persistent volumes no service mounts (sized as scratch space) are not among them.
     */
    public Set<String> persistentStorageClasses() {
        Set<String> classes = new LinkedHashSet<>();
        for (DeploymentEntry d : deployments) {
            ServiceSpec service = services.get(d.service());
            for (StorageVolume volume : profiles.get(d.profile()).storage()) {
                if (volume.persistent() && !volume.isRam() && service.storage().containsKey(volume.name())) {
                    classes.add(volume.storageClass());
                }
            }
        }
        return classes;
    }

    /** The TEE types ({@code params.tee.type}) of the deployed services, in order; empty when none asks for one. */
    public Set<String> teeTypes() {
        Set<String> types = new LinkedHashSet<>();
        for (DeploymentEntry d : deployments) {
            services.get(d.service()).teeParams().ifPresent(tee -> types.add(tee.type()));
        }
        return types;
    }

    /** ICL's duration in seconds; empty for SDL, which leaves it to the order. */
    public OptionalLong durationSeconds() {
        return duration == null ? OptionalLong.empty() : OptionalLong.of(duration.toSeconds());
    }

    /**
     * The most the manifest is willing to pay per hour, in whole tokens: the ICL prices of every deployment times its
     * replicas. Empty when any deployment has no per-hour price (SDL prices are per block in Akash denominations).
     */
    public Optional<BigDecimal> maxPricePerHour() {
        BigDecimal total = BigDecimal.ZERO;
        for (DeploymentEntry d : deployments) {
            Price price = price(d);
            if (price == null || !price.perHour()) {
                return Optional.empty();
            }
            total = total.add(price.amount().multiply(BigDecimal.valueOf(d.count())));
        }
        return deployments.isEmpty() ? Optional.empty() : Optional.of(total);
    }

    /**
     * The most one replica of a deployment may cost: its placement's price of its compute profile, or for ICL of its
     * service when the profile has none. The parser makes sure every deployment has one.
     */
    public Price price(DeploymentEntry deployment) {
        Map<String, Price> pricing = placements.get(deployment.placement()).pricing();
        return pricing.getOrDefault(deployment.profile(), pricing.get(deployment.service()));
    }

    /** The first region asked for by a placement used in a deployment, if any. */
    public Optional<String> region() {
        return deployments.stream()
                .map(d -> placements.get(d.placement()))
                .filter(p -> !p.regions().isEmpty())
                .map(p -> p.regions().get(0))
                .findFirst();
    }

    /**
     * One line for people: {@code 2 services, 1x rtx4090 (nvidia), 12 CPU, 24 GiB memory, 210 GiB storage, 1h}, with
     * {@code , 2 leased IPs} after the storage when it has ip endpoints.
     */
    public String summary() {
        ResourceTotals totals = resources();
        List<String> parts = new ArrayList<>();
        parts.add(services.size() + (services.size() == 1 ? " service" : " services"));
        if (totals.gpuCount() > 0) {
            parts.add(totals.gpuCount() + "x " + gpuDescription());
        }
        parts.add(cpus(totals.cpuMilli()) + " CPU");
        parts.add(mib(totals.memoryMb()) + " memory");
        parts.add(mib(totals.storageMb()) + " storage");
        if (!ipEndpoints.isEmpty()) {
            parts.add(ipEndpoints.size() + (ipEndpoints.size() == 1 ? " leased IP" : " leased IPs"));
        }
        if (duration != null) {
            parts.add(ManifestQuantities.formatDuration(duration));
        }
        return String.join(", ", parts);
    }

    /** {@code h100 or a100 (NVIDIA)}, {@code any NVIDIA}. */
    private String gpuDescription() {
        Map<String, Set<String>> byVendor = new LinkedHashMap<>();
        for (DeploymentEntry d : deployments) {
            for (GpuRequirement g : profiles.get(d.profile()).gpus()) {
                byVendor.computeIfAbsent(g.vendor().toUpperCase(), v -> new LinkedHashSet<>())
                        .add(g.model() == null ? "any" : g.model());
            }
        }
        List<String> parts = new ArrayList<>();
        byVendor.forEach((vendor, models) -> parts.add(models.contains("any") ? "any " + vendor
                : String.join(" or ", models) + " (" + vendor + ")"));
        return String.join(" or ", parts);
    }

    private static String cpus(long milli) {
        return milli % 1000 == 0 ? Long.toString(milli / 1000) : BigDecimal.valueOf(milli, 3).stripTrailingZeros().toPlainString();
    }

    private static String mib(long mib) {
        if (mib >= 1024 && mib % 1024 == 0) {
            return (mib / 1024) + " GiB";
        }
        if (mib >= 1024) {
            return BigDecimal.valueOf(mib).divide(BigDecimal.valueOf(1024), 1, java.math.RoundingMode.HALF_UP).toPlainString() + " GiB";
        }
        return mib + " MiB";
    }
}
