package org.openspheron.manifest;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Turns the YAML tree into a {@link Manifest}, checking every field and every reference on the way. */
final class ManifestReader {
    static final long MAX_CPU_MILLI = 1024_000;
    static final int MAX_GPUS = ManifestLimits.MAX_GPUS_PER_REPLICA;
    static final long TIB = 1024L * 1024 * 1024 * 1024;
    static final long MAX_MEMORY = 4 * TIB;
    static final long MAX_VOLUME = 64 * TIB;
    static final int MAX_COUNT = ManifestLimits.MAX_REPLICAS;
    static final Duration MAX_DURATION = Duration.ofDays(730);

    /** Profile names: DNS labels, like every name a manifest gives. */
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    /** Service names become Service, StatefulSet and label names: see {@link ManifestLimits#MAX_SERVICE_NAME}. */
    private static final Pattern SERVICE_NAME = Pattern.compile(ManifestLimits.SERVICE_NAME_PATTERN);
    /** Storage volume names become volume claim templates and volume mounts. */
    private static final Pattern VOLUME_NAME = Pattern.compile(ManifestLimits.VOLUME_NAME_PATTERN);
    private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");
    /** The longest Secret key Kubernetes takes. */
    private static final int MAX_ENV_NAME = 253;
    /**
     * Variables NVIDIA's container runtime reads to decide which GPUs and driver features a container gets. Set by a
     * tenant, {@code NVIDIA_VISIBLE_DEVICES=all} would expose every GPU of the node, to a pod that asked for one or
     * for none: the provider's device plugin sets them from what the lease bought, never the manifest.
     */
    private static final Set<String> GPU_CONTROL_ENV = Set.of("NVIDIA_VISIBLE_DEVICES", "NVIDIA_DRIVER_CAPABILITIES",
            "NVIDIA_DISABLE_REQUIRE", "NVIDIA_MIG_CONFIG_DEVICES", "NVIDIA_MIG_MONITOR_DEVICES", "NVIDIA_IMEX_CHANNELS",
            "NVIDIA_GDRCOPY", "NVIDIA_GDS", "NVIDIA_MOFED", "NVIDIA_NVSWITCH", "NVIDIA_FABRIC_MANAGER");
    private static final Pattern HOST = Pattern.compile("(\\*\\.)?([a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?\\.)*[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?");
    /** Akash SDL's only GPU vendor, and the only one providers here can schedule. */
    private static final Set<String> VENDORS = Set.of("nvidia");
    /** Akash's rule for endpoint names (its SDL schema and parser). */
    private static final Pattern ENDPOINT_NAME = Pattern.compile("[a-z]+[-_0-9a-z]+");
    /** Akash's shortest registry credentials; the email is optional. */
    private static final int MIN_EMAIL = 5;
    private static final int MIN_PASSWORD = 6;

    private final ManifestFormat format;
    private final String version;
    private final Field root;
    /** The declared leased IP endpoints, in file order. */
    private List<String> ipEndpoints = List.of();
    private final Set<String> usedEndpoints = new HashSet<>();
    /** {@code endpoint/as/proto} to the service publishing it: services on one endpoint share its address, not its ports. */
    private final Map<String, String> endpointPorts = new HashMap<>();

    private ManifestReader(ManifestFormat format, String version, Field root) {
        this.format = format;
        this.version = version;
        this.root = root;
    }

    static Manifest read(YamlNode tree, String canonicalJson, String hash) {
        if (!(tree instanceof YamlNode.Mapping)) {
            throw ManifestException.ofFile("a manifest is a YAML mapping with version, services, profiles and deployment");
        }
        Field root = new Field("", tree);
        root.allowOnly("version", "services", "profiles", "deployment", "endpoints");
        Field versionField = root.required("version", "\"1.0\" for Spheron ICL, \"2.0\" or \"2.1\" for Akash SDL");
        String version = versionField.text().trim();
        ManifestFormat format = switch (version) {
            case "1.0" -> ManifestFormat.ICL;
            case "2.0", "2.1" -> ManifestFormat.SDL;
            default -> throw versionField.error("\"" + version + "\" is not a supported version (\"1.0\" for Spheron ICL, "
                    + "\"2.0\" or \"2.1\" for Akash SDL)");
        };
        return new ManifestReader(format, version, root).read(canonicalJson, hash);
    }

    private Manifest read(String canonicalJson, String hash) {
        ipEndpoints = endpoints(root.get("endpoints"));
        Field servicesField = root.required("services", "at least one service");
        Map<String, Field> serviceFields = servicesField.entries();
        if (serviceFields.isEmpty()) {
            throw servicesField.error("no services");
        }
        serviceFields.values().forEach(ManifestReader::requireServiceName);
        Map<String, ServiceSpec> services = new LinkedHashMap<>();
        int globalPorts = 0;
        for (Field f : serviceFields.values()) {
            ServiceSpec service = service(f, serviceFields.keySet());
            services.put(f.name(), service);
            globalPorts += (int) service.expose().stream().filter(Expose::global).count();
            if (globalPorts > ManifestLimits.MAX_GLOBAL_PORTS) {
                throw f.get("expose").error("more than " + ManifestLimits.MAX_GLOBAL_PORTS + " ports exposed globally in the"
                        + " manifest (each takes a node port of the provider's cluster)");
            }
        }

        Field profilesField = root.required("profiles", "compute and placement profiles");
        profilesField.allowOnly("name", "duration", "mode", "tier", "compute", "placement");
        Map<String, ComputeProfile> profiles = new LinkedHashMap<>();
        Field computeField = profilesField.required("compute", "a compute profile per service");
        for (Field f : nonEmpty(computeField, "no compute profiles").values()) {
            profiles.put(f.name(), computeProfile(f));
        }
        Map<String, Placement> placements = new LinkedHashMap<>();
        Field placementField = profilesField.required("placement", "where to deploy and at what price");
        for (Field f : nonEmpty(placementField, "no placements").values()) {
            placements.put(f.name(), placement(f, profiles.keySet(), serviceFields.keySet()));
        }

        List<DeploymentEntry> deployments = deployments(services, profiles, placements);
        checkMounts(services, profiles, deployments);
        checkPersistentVolumesMounted(services, profiles, deployments);
        checkTee(services, profiles, deployments);
        checkEndpointsUsed();

        String name = profilesField.get("name").optionalText();
        String mode = mode(profilesField.get("mode"));
        List<String> tiers = profilesField.get("tier").stringOrStrings();
        Duration duration = duration(profilesField.get("duration"));
        return new Manifest(format, version, name, mode, tiers, duration, services, profiles, placements, deployments,
                hash, canonicalJson, ipEndpoints);
    }

    /** Akash's {@code endpoints}: names of leased IP addresses, the only kind there is. */
    private static List<String> endpoints(Field endpoints) {
        Map<String, Field> entries = endpoints.entries();
        if (entries.size() > ManifestLimits.MAX_IP_ENDPOINTS) {
            throw endpoints.error(entries.size() + " endpoints; an order holds at most " + ManifestLimits.MAX_IP_ENDPOINTS
                    + " leased IPs");
        }
        for (Field e : entries.values()) {
            if (!ENDPOINT_NAME.matcher(e.name()).matches()) {
                throw e.error("\"" + e.name() + "\" is not a valid endpoint name (a lower-case letter, then lower-case "
                        + "letters, digits, '-' or '_'; at least 2 characters)");
            }
            e.allowOnly("kind");
            Field kind = e.required("kind", "ip");
            if (!kind.text().equals("ip")) {
                throw kind.error("\"" + kind.text() + "\" is not an endpoint kind (the only kind is ip)");
            }
        }
        return List.copyOf(entries.keySet());
    }

    /**
     * Akash refuses an endpoint no deployed service uses: it would be a leased IP the order pays for and nothing
     * listens on. Every service is deployed by now ({@link #deployments}), so every use counted is a deployed one.
     */
    private void checkEndpointsUsed() {
        for (String name : ipEndpoints) {
            if (!usedEndpoints.contains(name)) {
                throw new ManifestException("endpoints." + name, "declared but never used by a service's expose "
                        + "to.ip (write to: [{global: true, ip: " + name + "}] in the expose entry to publish on it)");
            }
        }
    }

    // ---- services ----

    private ServiceSpec service(Field s, Set<String> serviceNames) {
        s.allowOnly("image", "command", "args", "env", "expose", "dependencies", "credentials", "params", "pull_policy");
        Field imageField = s.required("image", "the container image, e.g. nginx:1.27");
        String image = imageField.nonBlank();
        if (image.chars().anyMatch(Character::isWhitespace)) {
            throw imageField.error("\"" + image + "\" is not an image reference (it contains whitespace)");
        }
        List<String> command = s.get("command").strings();
        List<String> args = s.get("args").strings();
        Map<String, String> env = env(s.get("env"));
        RegistryCredentials credentials = credentials(s.get("credentials"));
        String pullPolicy = pullPolicy(s.get("pull_policy"));
        List<Expose> expose = new ArrayList<>();
        Set<String> containerPorts = new HashSet<>();
        Set<String> servicePorts = new HashSet<>();
        for (Field e : s.get("expose").items()) {
            Expose port = expose(e, s.name(), serviceNames);
            // Kubernetes refuses a Service with two ports of one number and protocol, and a container with two
            // ports of one name (the operator names a port by its number and protocol).
            if (!containerPorts.add(port.port() + "/" + port.proto())) {
                throw e.get("port").error(port.port() + "/" + port.proto() + " is exposed twice");
            }
            if (!servicePorts.add(port.as() + "/" + port.proto())) {
                throw (e.get("as").isPresent() ? e.get("as") : e.get("port")).error(port.as() + "/" + port.proto()
                        + " is already the service port of another expose entry");
            }
            expose.add(port);
        }
        List<String> dependencies = new ArrayList<>();
        for (Field d : s.get("dependencies").items()) {
            d.allowOnly("service");
            Field target = d.required("service", "the name of another service");
            requireService(target, serviceNames);
            dependencies.add(target.text());
        }
        Map<String, StorageMount> storage = new LinkedHashMap<>();
        Field params = s.get("params").allowOnly("storage", "tee");
        Set<String> mountPaths = new HashSet<>();
        for (Field v : params.get("storage").entries().values()) {
            v.allowOnly("mount", "readOnly");
            Field mount = v.required("mount", "an absolute path in the container");
            String path = mount.nonBlank();
            if (!path.startsWith("/")) {
                throw mount.error("\"" + path + "\" is not an absolute path");
            }
            if (!mountPaths.add(path)) {
                throw mount.error(path + " is mounted twice");
            }
            storage.put(v.name(), new StorageMount(v.name(), path, v.get("readOnly").bool(false)));
        }
        return new ServiceSpec(s.name(), image, command, args, env, credentials, pullPolicy, expose, dependencies, storage,
                tee(params.get("tee")));
    }

    /** {@code params.tee: {type: sev-snp | sev-snp-gpu | tdx | tdx-gpu, attestation: true}}, as Akash SDL 2.1 has it. */
    private TeeParams tee(Field tee) {
        if (!tee.isPresent()) {
            return null;
        }
        if (!"2.1".equals(version)) {
            throw tee.error("confidential computing needs an SDL of version \"2.1\" (this file is \"" + version + "\")");
        }
        if (!tee.isMapping()) {
            throw tee.error("write tee: {type: TYPE}, TYPE one of " + String.join(", ", TeeParams.TYPES));
        }
        tee.allowOnly("type", "attestation");
        Field typeField = tee.required("type", "one of " + String.join(", ", TeeParams.TYPES));
        String type = typeField.text().trim();
        if (!TeeParams.TYPES.contains(type)) {
            throw typeField.error("\"" + type + "\" is not a TEE type (" + String.join(", ", TeeParams.TYPES) + ")");
        }
        return new TeeParams(type, tee.get("attestation").bool(true));
    }

    private static Map<String, String> env(Field envField) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Field item : envField.items()) {
            if (item.isEmpty()) {
                throw item.error("empty entry (write NAME=value)");
            }
            String entry = item.text();
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                // The field names the entry; its text is not repeated, since it may hold a secret (API_KEY:sk-...).
                throw item.error(eq < 0 ? "is not NAME=value: it has no \"=\"" : "is not NAME=value: it starts with \"=\"");
            }
            String name = entry.substring(0, eq);
            // Kubernetes' own rules for an env name and a Secret key (the values are kept in a Secret): checked here,
            // before the hash is on chain, not refused by the API server when the lease can no longer change it.
            if (!ENV_NAME.matcher(name).matches() || name.equals(".") || name.startsWith("..")
                    || name.length() > MAX_ENV_NAME) {
                throw item.error("\"" + (name.length() > 64 ? name.substring(0, 64) + "..." : name) + "\" is not a valid "
                        + "environment variable name (letters, digits, '-', '.', '_', not starting with a digit or '..', "
                        + "at most " + MAX_ENV_NAME + " characters)");
            }
            if (GPU_CONTROL_ENV.contains(name) || name.startsWith("NVIDIA_REQUIRE_")) {
                throw item.error(name + " may not be set: NVIDIA's container runtime reads it to choose the GPUs and"
                        + " driver features a container gets, which the provider sets from the lease");
            }
            if (env.put(name, entry.substring(eq + 1)) != null) {
                throw item.error(name + " is set twice");
            }
        }
        return env;
    }

    private static RegistryCredentials credentials(Field c) {
        if (c.isEmpty()) {
            return null;
        }
        c.allowOnly("host", "username", "password", "email");
        String host = c.required("host", "the registry, e.g. ghcr.io").nonBlank();
        String username = c.required("username", null).nonBlank();
        String password = c.required("password", null).nonBlank();
        String email = c.get("email").optionalText();
        // Lengths only, never the values: the password is a secret, and messages reach logs.
        if (password.codePointCount(0, password.length()) < MIN_PASSWORD) {
            throw c.get("password").error("shorter than " + MIN_PASSWORD + " characters, the least a registry password may be");
        }
        if (email != null && email.codePointCount(0, email.length()) < MIN_EMAIL) {
            throw c.get("email").error("shorter than " + MIN_EMAIL + " characters, the least a registry email may be");
        }
        return new RegistryCredentials(host, username, password, email);
    }

    private static String pullPolicy(Field p) {
        if (p.isEmpty()) {
            return null;
        }
        return switch (p.text().toLowerCase(Locale.ROOT)) {
            case "always" -> "Always";
            case "ifnotpresent" -> "IfNotPresent";
            case "never" -> "Never";
            default -> throw p.error("\"" + p.text() + "\" is not a pull policy (Always, IfNotPresent or Never)");
        };
    }

    private Expose expose(Field e, String service, Set<String> serviceNames) {
        e.allowOnly("port", "as", "proto", "to", "accept", "http_options", "use_public_port");
        int port = (int) e.required("port", "the container port").integer(1, 65535, "a port");
        Field asField = e.get("as");
        int as = asField.isEmpty() ? port : (int) asField.integer(1, 65535, "a port");
        String proto = "TCP";
        Field protoField = e.get("proto");
        if (protoField.isPresent()) {
            proto = protoField.text().toUpperCase(Locale.ROOT);
            if (!proto.equals("TCP") && !proto.equals("UDP")) {
                throw protoField.error("\"" + protoField.text() + "\" is not a protocol (TCP or UDP)");
            }
        }
        boolean global = false;
        String ip = null;
        Field globalWithoutIp = null;
        List<String> to = new ArrayList<>();
        for (Field t : e.get("to").items()) {
            t.allowOnly("global", "service", "ip");
            boolean toGlobal = t.get("global").bool(false);
            global |= toGlobal;
            if (t.get("ip").isPresent()) {
                ip = ipEndpoint(t.get("ip"), toGlobal, ip, service, as + "/" + proto);
            } else if (toGlobal && globalWithoutIp == null) {
                globalWithoutIp = t.get("global");
            }
            Field target = t.get("service");
            if (target.isPresent()) {
                requireService(target, serviceNames);
                to.add(target.text());
            }
        }
        List<String> accept = new ArrayList<>();
        for (Field host : e.get("accept").items()) {
            String h = host.nonBlank();
            if (!HOST.matcher(h).matches() || h.length() > 253) {
                throw host.error("\"" + h + "\" is not a host name");
            }
            accept.add(h);
        }
        if (ip != null && globalWithoutIp != null) {
            // Akash would publish the port twice, on the address and on a random port; a provider here publishes a
            // port once, so refusing beats deploying half of what is written.
            throw globalWithoutIp.error("the expose entry is published on ip endpoint " + ip + "; a global entry without"
                    + " ip would also publish it on a random node port, which Open Spheron providers do not do for a port on"
                    + " a leased IP: drop this entry (the port is reached at the endpoint's address)");
        }
        HttpOptions http = httpOptions(e.get("http_options"));
        return new Expose(port, as, proto, global, accept, to, http, e.get("use_public_port").bool(false), ip);
    }

    /**
     * Akash's rules for {@code to[].ip}: in a global entry, naming a declared endpoint, and no two services publishing
     * one port and protocol on one endpoint (they share its address). An expose entry is published on one endpoint
     * here, as {@link Expose#ip()} holds one.
     *
     * @param earlier the endpoint an earlier {@code to} entry of the same expose entry named, or null
     * @param port the published port and protocol, {@code 80/TCP}
     */
    private String ipEndpoint(Field ip, boolean global, String earlier, String service, String port) {
        String name = ip.nonBlank();
        if (!global) {
            throw ip.error("an ip endpoint needs global: true in the same entry");
        }
        if (!ipEndpoints.contains(name)) {
            throw ip.error("unknown endpoint \"" + name + "\" (" + (ipEndpoints.isEmpty() ? "no endpoints are declared; add"
                    + " endpoints: {" + name + ": {kind: ip}}" : "endpoints: " + String.join(", ", ipEndpoints)) + ")");
        }
        if (earlier != null && !earlier.equals(name)) {
            throw ip.error("the expose entry is already published on endpoint " + earlier + "; one expose entry is published"
                    + " on at most one ip endpoint");
        }
        String other = endpointPorts.putIfAbsent(name + "/" + port, service);
        // Within one service the check of its service ports (in service()) says it better.
        if (other != null && !other.equals(service)) {
            throw ip.error("endpoint " + name + " port " + port + " is published by both service " + other + " and service "
                    + service + " (services on one endpoint share its address, so each needs ports of its own)");
        }
        usedEndpoints.add(name);
        return name;
    }

    private static HttpOptions httpOptions(Field h) {
        if (h.isEmpty()) {
            return null;
        }
        h.allowOnly("max_body_size", "read_timeout", "send_timeout", "next_tries", "next_timeout", "next_cases");
        long maxBody = h.get("max_body_size").isEmpty() ? 0 : bytes(h.get("max_body_size"), 100L * 1024 * 1024, "100Mi");
        long read = millis(h.get("read_timeout"));
        long send = millis(h.get("send_timeout"));
        int tries = h.get("next_tries").isEmpty() ? 0 : (int) h.get("next_tries").integer(0, 100, "a number of tries (0..100)");
        long next = millis(h.get("next_timeout"));
        List<String> cases = h.get("next_cases").strings();
        for (String c : cases) {
            if (!Set.of("error", "timeout", "500", "502", "503", "504", "403", "404", "429", "off").contains(c)) {
                throw h.get("next_cases").error("\"" + c + "\" is not a retry case (error, timeout, 500, 502, 503, 504, 403, 404, 429, off)");
            }
        }
        return new HttpOptions(maxBody, read, send, tries, next, cases);
    }

    private static long millis(Field f) {
        return f.isEmpty() ? 0 : f.integer(0, 60_000, "a timeout in milliseconds (0..60000)");
    }

    // ---- profiles ----

    private ComputeProfile computeProfile(Field p) {
        requireName(p, "compute profile");
        p.allowOnly("resources");
        Field r = p.required("resources", "cpu, memory and storage").allowOnly("cpu", "memory", "storage", "gpu");

        Field cpu = r.required("cpu", "e.g. cpu: {units: 2}").allowOnly("units", "attributes");
        Field units = cpu.required("units", "e.g. 0.5, 2 or 500m");
        if (units.isMapping() || units.isSequence()) {
            throw units.error("expected a number like 0.5, 2 or 500m, got a " + (units.isSequence() ? "list" : "mapping"));
        }
        long cpuMilli = positive(units, () -> ManifestQuantities.parseCpuMilli(units.text()));
        if (cpuMilli > MAX_CPU_MILLI) {
            throw units.error(units.text() + " CPUs is more than a replica may ask for (at most " + MAX_CPU_MILLI / 1000 + ")");
        }
        Map<String, String> cpuAttributes = new LinkedHashMap<>();
        cpu.get("attributes").entries().forEach((k, v) -> cpuAttributes.put(k, v.text()));

        Field memory = r.required("memory", "e.g. memory: {size: 8Gi}").allowOnly("size");
        long memoryBytes = bytes(memory.required("size", "e.g. 512Mi or 8Gi"), MAX_MEMORY, "4Ti");

        List<StorageVolume> storage = storage(r.required("storage", "e.g. storage: {size: 10Gi}"));
        Field gpu = r.get("gpu").allowOnly("units", "attributes");
        int gpuUnits = gpu.get("units").isEmpty() ? 0 : (int) gpu.get("units").integer(0, MAX_GPUS,
                "a GPU count a replica may ask for (0.." + MAX_GPUS + ")");
        List<GpuRequirement> gpus = gpus(gpu, gpuUnits);
        return new ComputeProfile(p.name(), cpuMilli, memoryBytes, storage, gpuUnits, gpus, cpuAttributes);
    }

    private static List<StorageVolume> storage(Field s) {
        List<Field> volumes = s.isSequence() ? s.items() : List.of(s);
        if (volumes.isEmpty()) {
            throw s.error("no volumes");
        }
        List<StorageVolume> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Field v : volumes) {
            v.allowOnly("name", "size", "attributes");
            if (!v.isMapping()) {
                throw v.error("expected a mapping with size (and name, attributes)");
            }
            String name = v.get("name").isEmpty() ? "default" : v.get("name").nonBlank();
            if (!VOLUME_NAME.matcher(name).matches()) {
                throw v.get("name").error("\"" + name + "\" is not a valid volume name (lower-case letters, digits and '-', "
                        + "at most 63, starting and ending with a letter or digit)");
            }
            if (!names.add(name)) {
                throw v.get("name").error("two volumes are named " + name + (v.get("name").isEmpty() ? " (an unnamed volume is \"default\")" : ""));
            }
            long size = bytes(v.required("size", "e.g. 10Gi"), MAX_VOLUME, "64Ti");
            Field attributes = v.get("attributes").allowOnly("persistent", "class");
            boolean persistent = attributes.get("persistent").bool(false);
            String storageClass = attributes.get("class").optionalText();
            if ("ram".equals(storageClass) && persistent) {
                throw attributes.get("persistent").error("a class: ram volume lives in memory and cannot be persistent");
            }
            out.add(new StorageVolume(name, size, persistent, storageClass, attributes.isPresent()));
        }
        return out;
    }

    private static List<GpuRequirement> gpus(Field gpu, int units) {
        Field attributes = gpu.get("attributes").allowOnly("vendor");
        if (units == 0) {
            if (attributes.isPresent() && attributes.get("vendor").isPresent()) {
                throw gpu.get("units").error("0 GPUs, but attributes name a GPU vendor; set units or remove the attributes");
            }
            return List.of();
        }
        Field vendors = attributes.get("vendor");
        if (vendors.isEmpty() || vendors.entries().isEmpty()) {
            throw (attributes.isEmpty() ? attributes : vendors).error("missing: say which GPUs, e.g. vendor: {nvidia: [{model: h100}]}");
        }
        List<GpuRequirement> out = new ArrayList<>();
        for (Field vendor : vendors.entries().values()) {
            String name = vendor.name().toLowerCase(Locale.ROOT);
            if (!VENDORS.contains(name)) {
                throw vendor.error("\"" + vendor.name() + "\" is not a supported GPU vendor (only nvidia, as in Akash SDL)");
            }
            if (vendor.isEmpty()) {
                out.add(new GpuRequirement(name, null, null, null));
                continue;
            }
            List<Field> models = vendor.items();
            if (models.isEmpty()) {
                out.add(new GpuRequirement(name, null, null, null));
            }
            for (Field m : models) {
                m.allowOnly("model", "ram", "interface");
                if (!m.isMapping()) {
                    throw m.error("expected a mapping with model (and ram, interface)");
                }
                String model = m.get("model").isEmpty() ? null : m.get("model").nonBlank();
                if (model != null && (model.equals("*") || model.equalsIgnoreCase("any"))) {
                    model = null;
                }
                String ram = null;
                if (m.get("ram").isPresent()) {
                    ram = m.get("ram").text();
                    bytes(m.get("ram"), 4 * TIB, "4Ti");
                }
                String iface = null;
                if (m.get("interface").isPresent()) {
                    iface = m.get("interface").text().toLowerCase(Locale.ROOT);
                    if (!iface.equals("pcie") && !iface.equals("sxm")) {
                        throw m.get("interface").error("\"" + m.get("interface").text() + "\" is not a GPU interface (pcie or sxm)");
                    }
                }
                out.add(new GpuRequirement(name, model, ram, iface));
            }
        }
        return out;
    }

    private Placement placement(Field p, Set<String> profileNames, Set<String> serviceNames) {
        p.allowOnly("attributes", "signedBy", "pricing");
        Map<String, String> attributes = new LinkedHashMap<>();
        p.get("attributes").entries().forEach((k, v) -> attributes.put(k, v.isEmpty() ? "" : v.text()));
        List<String> regions = new ArrayList<>();
        String region = attributes.get("region");
        if (region != null) {
            for (String r : region.split(";")) {
                if (!r.isBlank()) {
                    regions.add(r.trim());
                }
            }
        }
        Field signedBy = p.get("signedBy").allowOnly("anyOf", "allOf");
        List<String> signers = new ArrayList<>(signedBy.get("anyOf").strings());
        signers.addAll(signedBy.get("allOf").strings());
        Map<String, Price> pricing = new LinkedHashMap<>();
        for (Field price : p.get("pricing").entries().values()) {
            if (!profileNames.contains(price.name()) && !serviceNames.contains(price.name())) {
                throw price.error("prices a compute profile or service that does not exist");
            }
            price.allowOnly("token", "denom", "amount");
            Field amountField = price.required("amount", "the most you pay");
            BigDecimal amount;
            try {
                amount = new BigDecimal(amountField.text().trim());
            } catch (NumberFormatException e) {
                throw amountField.error("\"" + amountField.text() + "\" is not an amount");
            }
            if (amount.signum() < 0 || amount.compareTo(BigDecimal.valueOf(1_000_000_000_000L)) > 0 || amount.scale() > 18) {
                throw amountField.error(amountField.text() + " is not a sensible price");
            }
            Field denom = price.get("token").isPresent() ? price.get("token") : price.get("denom");
            if (denom.isPresent() && !Denominations.known(denom.text())) {
                throw denom.error("\"" + denom.text() + "\" is not a known denomination (" + Denominations.KNOWN + ")");
            }
            pricing.put(price.name(), new Price(denom.optionalText(), amount, format == ManifestFormat.ICL));
        }
        return new Placement(p.name(), attributes, regions, signers, pricing);
    }

    // ---- deployment ----

    private List<DeploymentEntry> deployments(Map<String, ServiceSpec> services, Map<String, ComputeProfile> profiles,
                                              Map<String, Placement> placements) {
        Field deployment = root.required("deployment", "which profile and how many replicas per service");
        List<DeploymentEntry> out = new ArrayList<>();
        for (Field s : nonEmpty(deployment, "nothing deployed").values()) {
            if (!services.containsKey(s.name())) {
                throw s.error("deploys a service that does not exist (services: " + String.join(", ", services.keySet()) + ")");
            }
            for (Field p : nonEmpty(s, "no placement").values()) {
                if (!placements.containsKey(p.name())) {
                    throw p.error("no placement named " + p.name() + " in profiles.placement (placements: "
                            + String.join(", ", placements.keySet()) + ")");
                }
                p.allowOnly("profile", "count");
                Field profile = p.required("profile", "a compute profile name");
                if (!profiles.containsKey(profile.text())) {
                    throw profile.error("no compute profile named " + profile.text() + " in profiles.compute (profiles: "
                            + String.join(", ", profiles.keySet()) + ")");
                }
                requirePrice(profile, placements.get(p.name()), s.name());
                int count = (int) p.required("count", "the number of replicas").integer(1, MAX_COUNT,
                        "a replica count (1.." + MAX_COUNT + ")");
                out.add(new DeploymentEntry(s.name(), p.name(), profile.text(), count));
            }
        }
        for (String service : services.keySet()) {
            if (out.stream().noneMatch(d -> d.service().equals(service))) {
                throw new ManifestException("services." + service, "is not deployed (add deployment." + service + ")");
            }
            int replicas = out.stream().filter(d -> d.service().equals(service)).mapToInt(DeploymentEntry::count).sum();
            if (replicas > MAX_COUNT) {
                throw new ManifestException("deployment." + service, replicas + " replicas over all placements; a service "
                        + "may have at most " + MAX_COUNT);
            }
        }
        return out;
    }

    /**
     * A placement prices each compute profile deployed in it, as Akash requires. An ICL file may price the service
     * instead ({@code pricing.<service>}): ICL files have always been accepted so, and {@link Manifest#maxPricePerHour()}
     * reads either.
     */
    private void requirePrice(Field profile, Placement placement, String service) {
        boolean byService = format == ManifestFormat.ICL;
        Map<String, Price> pricing = placement.pricing();
        if (pricing.containsKey(profile.text()) || byService && pricing.containsKey(service)) {
            return;
        }
        throw profile.error("placement " + placement.name() + " has no price for compute profile " + profile.text()
                + (byService && !service.equals(profile.text()) ? " or service " + service : "")
                + " (add profiles.placement." + placement.name() + ".pricing." + profile.text() + ")");
    }

    /**
     * A persistent volume is mounted by every service deployed with its profile, as Akash requires: unmounted, it
     * would hold nothing and still be bought.
     */
    private static void checkPersistentVolumesMounted(Map<String, ServiceSpec> services, Map<String, ComputeProfile> profiles,
                                                      List<DeploymentEntry> deployments) {
        for (DeploymentEntry d : deployments) {
            for (StorageVolume volume : profiles.get(d.profile()).storage()) {
                if (volume.persistent() && !services.get(d.service()).storage().containsKey(volume.name())) {
                    throw new ManifestException("services." + d.service() + ".params.storage." + volume.name(),
                            "missing (volume " + volume.name() + " of compute profile " + d.profile() + " is persistent, "
                                    + "and a persistent volume must be mounted by each service deployed with it)");
                }
            }
        }
    }

    /**
     * As Akash's parser: a GPU TEE type needs GPUs in every profile the service is deployed with, and the services
     * of one placement (one lease) that ask for a TEE ask for the same type (the provider runs a group's pods on one
     * kind of confidential node).
     */
    private static void checkTee(Map<String, ServiceSpec> services, Map<String, ComputeProfile> profiles,
                                 List<DeploymentEntry> deployments) {
        Map<String, String> typeByPlacement = new LinkedHashMap<>();
        Map<String, String> serviceByPlacement = new LinkedHashMap<>();
        for (DeploymentEntry d : deployments) {
            TeeParams tee = services.get(d.service()).tee();
            if (tee == null) {
                continue;
            }
            if (tee.needsGpu() && !profiles.get(d.profile()).hasGpu()) {
                throw new ManifestException("services." + d.service() + ".params.tee.type", tee.type()
                        + " puts a GPU in confidential-computing mode, and compute profile " + d.profile() + " has no GPU");
            }
            String other = typeByPlacement.putIfAbsent(d.placement(), tee.type());
            if (other != null && !other.equals(tee.type())) {
                throw new ManifestException("services." + d.service() + ".params.tee.type", tee.type() + " conflicts with "
                        + other + " of service " + serviceByPlacement.get(d.placement()) + " in placement "
                        + d.placement() + " (the services of one placement use one TEE type)");
            }
            serviceByPlacement.putIfAbsent(d.placement(), d.service());
        }
    }

    /** Every volume a service mounts must exist in the compute profile of each of its deployments. */
    private static void checkMounts(Map<String, ServiceSpec> services, Map<String, ComputeProfile> profiles,
                                    List<DeploymentEntry> deployments) {
        for (DeploymentEntry d : deployments) {
            ComputeProfile profile = profiles.get(d.profile());
            for (StorageMount mount : services.get(d.service()).storage().values()) {
                if (profile.volume(mount.volume()) == null) {
                    throw new ManifestException("services." + d.service() + ".params.storage." + mount.volume(),
                            "no volume named " + mount.volume() + " in compute profile " + profile.name() + " (volumes: "
                                    + String.join(", ", profile.storage().stream().map(StorageVolume::name).toList()) + ")");
                }
            }
        }
    }

    // ---- helpers ----

    private String mode(Field mode) {
        if (mode.isEmpty()) {
            return null;
        }
        String m = mode.text();
        if (!m.equals("provider") && !m.equals("fizz")) {
            throw mode.error("\"" + m + "\" is not a mode (provider or fizz)");
        }
        return m;
    }

    private static Duration duration(Field f) {
        if (f.isEmpty()) {
            return null;
        }
        Duration d;
        try {
            d = ManifestQuantities.parseDuration(f.text());
        } catch (IllegalArgumentException e) {
            throw f.error(e.getMessage());
        }
        if (d.isZero()) {
            throw f.error(f.text() + " is not a duration longer than zero");
        }
        if (d.compareTo(MAX_DURATION) > 0) {
            throw f.error(f.text() + " is longer than the 2 years a lease may run");
        }
        return d;
    }

    private static long bytes(Field f, long max, String maxText) {
        if (f.isMapping() || f.isSequence()) {
            throw f.error("expected a size like 512Mi or 16Gi");
        }
        long bytes = positive(f, () -> ManifestQuantities.parseBytes(f.text()));
        if (bytes > max) {
            throw f.error(f.text() + " is more than a replica may ask for (at most " + maxText + ")");
        }
        return bytes;
    }

    private static long positive(Field f, java.util.function.LongSupplier parse) {
        String text = f.text().trim();
        if (text.startsWith("-")) {
            throw f.error(text + " is negative");
        }
        long value;
        try {
            value = parse.getAsLong();
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw f.error(e.getMessage());
        }
        if (value <= 0) {
            throw f.error(text + " is not more than zero");
        }
        return value;
    }

    private static Map<String, Field> nonEmpty(Field f, String reason) {
        Map<String, Field> entries = f.entries();
        if (entries.isEmpty()) {
            throw f.error(reason);
        }
        return entries;
    }

    private static void requireName(Field f, String what) {
        if (!DNS_LABEL.matcher(f.name()).matches()) {
            throw f.error("\"" + f.name() + "\" is not a valid " + what + " name (lower-case letters, digits and '-', "
                    + "at most 63, starting and ending with a letter or digit)");
        }
    }

    private static void requireServiceName(Field f) {
        if (!SERVICE_NAME.matcher(f.name()).matches()) {
            throw f.error("\"" + f.name() + "\" is not a valid service name (lower-case letters, digits and '-', at most "
                    + ManifestLimits.MAX_SERVICE_NAME + ", starting with a letter and ending with a letter or digit, so that "
                    + "the Kubernetes names made from it stay within 63)");
        }
    }

    private static void requireService(Field f, Set<String> services) {
        if (!services.contains(f.text())) {
            throw f.error("no service named " + f.text());
        }
    }
}
