package org.openspheron.operator.gateway;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.jboss.logging.Logger;
import org.openspheron.operator.inventory.ClusterInventory;
import org.openspheron.operator.inventory.Inventory;
import org.openspheron.chain.Lease;
import org.openspheron.chain.Provider;
import org.openspheron.chain.identity.ClientIdentity;
import org.openspheron.manifest.Manifest;
import org.openspheron.manifest.ManifestException;
import org.openspheron.manifest.ManifestParser;

/**
 * The gateway's endpoints. Each lease endpoint first checks that the lease exists and is this provider's, then that
 * the lease's tenant vouches for the client certificate in the on-chain CertificateRegistry (never through the
 * certificate's CN). The registry is asked about the tenant only, never who "owns" a fingerprint: any account may
 * publish any fingerprint, and the TLS handshake has already proven that the client holds the certificate's key.
 * Runs on worker threads: every step may wait on the chain or the API server.
 */
final class LeaseEndpoints implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LeaseEndpoints.class);
    private static final int DEFAULT_TAIL = 100;
    private static final int MAX_TAIL = 10_000;
    /**
     * The most of one pod's log a tail reads (the API server's {@code limitBytes}), and the most a tail response
     * holds: 10,000 long lines from each of a hundred pods would otherwise be gathered in the operator's memory,
     * which its reconcilers share.
     */
    static final int TAIL_BYTES_PER_POD = 1 << 20;
    static final int TAIL_BYTES = 8 << 20;
    /** Followed log streams a lease may have open at once. */
    static final int MAX_FOLLOWS_PER_LEASE = 4;
    private static final Duration FOLLOW_LEASE_CHECK = Duration.ofSeconds(5);

    private final Vertx vertx;
    private final StorageClasses storageClasses;
    private final TeeRuntimes teeRuntimes;
    private final String provider;
    private final ChainView chain;
    private final LeaseCluster cluster;
    private final ClusterInventory inventory;
    /** Followed log responses whose periodic lease check runs: each is one chain read every few seconds. */
    private final AtomicInteger followsCheckingTheChain = new AtomicInteger();
    /** Followed log responses open per lease: each holds a thread and an API server stream per pod. */
    private final Map<Long, Integer> followsByLease = new java.util.concurrent.ConcurrentHashMap<>();
    private final ExecutorService logPumps = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "gateway-log-follow");
        thread.setDaemon(true);
        return thread;
    });

    LeaseEndpoints(Vertx vertx, String provider, ChainView chain, LeaseCluster cluster, ClusterInventory inventory,
            StorageClasses storageClasses, TeeRuntimes teeRuntimes) {
        this.storageClasses = storageClasses;
        this.teeRuntimes = teeRuntimes;
        this.vertx = vertx;
        this.provider = provider;
        this.chain = chain;
        this.cluster = cluster;
        this.inventory = inventory;
    }

    /** {@code PUT /lease/{id}/manifest}: the tenant's manifest becomes the lease's GPUDeployment and Secrets. */
    void putManifest(RoutingContext ctx) {
        long leaseId = leaseId(ctx);
        // the lease's state decides whether a workload may start: read it fresh, not from the cache
        Lease lease = ours(leaseId, chain.freshLease(leaseId));
        requireTenant(lease, ctx);
        if (!lease.isActive()) {
            throw GatewayError.of(409, "LeaseNotActive", "lease " + leaseId + " is " + lease.state().name().toLowerCase()
                    + " on chain; it takes no manifest");
        }
        // The chain keeps such a lease active until someone settles it, but a workload started now would hold GPUs
        // that earn nothing: the lease's time is over, or the chain no longer takes its confirmation.
        long now = chain.chainTime();
        if (lease.isConfirmed() && now >= lease.endsAt()) {
            throw GatewayError.of(409, "LeaseEnded", "lease " + leaseId + " ran until " + Instant.ofEpochSecond(lease.endsAt())
                    + ", its ordered duration; it takes no manifest");
        }
        if (!lease.isConfirmed() && now > lease.confirmDeadline()) {
            throw GatewayError.of(409, "ConfirmDeadlinePassed", "lease " + leaseId + " was to be deployed by "
                    + Instant.ofEpochSecond(lease.confirmDeadline()) + "; past that the chain takes no confirmation, so it "
                    + "takes no manifest");
        }
        Manifest manifest = parse(ctx.body() == null || ctx.body().buffer() == null ? new byte[0]
                : ctx.body().buffer().getBytes());
        String expected = chain.manifestHash(lease.orderId());
        String actual = manifest.canonicalHash().toLowerCase();
        if (!expected.equals(actual)) {
            throw GatewayError.of(400, "ManifestHashMismatch", "the manifest's canonical hash " + actual
                    + " differs from the hash " + expected + " that order " + lease.orderId() + " carries on chain");
        }
        Optional<String> accepted = cluster.acceptedManifestHash(leaseId);
        if (accepted.isPresent() && !accepted.get().equalsIgnoreCase(actual)) {
            throw GatewayError.of(409, "ManifestAlreadyAccepted", "lease " + leaseId
                    + " already runs the manifest " + accepted.get());
        }
        LeaseWorkload workload = ManifestDeployment.of(leaseId, manifest, chain.orderSpec(lease.orderId()), storageClasses,
                teeRuntimes);
        cluster.refuseTakenHosts(workload);
        cluster.refuseLeasedIpsWithoutPool(workload);
        if (!cluster.awaitNamespace(leaseId)) {
            throw GatewayError.retryLater("LeaseNotReady", "the provider has not prepared lease " + leaseId
                    + " yet (its namespace, quota and network policies are not in place); send the manifest again shortly", Duration.ofSeconds(5));
        }
        try {
            cluster.apply(workload);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 422 || e.getCode() == 400) {
                throw GatewayError.invalidManifest("the cluster refused the workload: "
                        + (e.getStatus() != null ? e.getStatus().getMessage() : e.getMessage()), null);
            }
            throw e;
        }
        // names only: the values of environment variables and registry logins never reach a log
        LOG.infof("lease %d: accepted manifest %s from tenant %s: services %s, environment variables %s kept in"
                + " Secrets", leaseId, actual, lease.tenant(), workload.serviceNames(), envNames(manifest));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("leaseId", leaseId);
        body.put("manifestHash", actual);
        body.put("services", workload.serviceNames());
        GatewayServer.sendJson(ctx, 202, body);
    }

    /** {@code GET /lease/{id}/status}. */
    void leaseStatus(RoutingContext ctx) {
        Lease lease = authorisedLease(ctx);
        GatewayServer.sendJson(ctx, 200, cluster.status(lease));
    }

    /** {@code GET /lease/{id}/logs?service=&tail=&follow=}: lines prefixed with {@code [pod-name] }. */
    void logs(RoutingContext ctx) {
        Lease lease = authorisedLease(ctx);
        String service = ctx.request().getParam("service");
        int tail = tail(ctx.request().getParam("tail"));
        boolean follow = Boolean.parseBoolean(ctx.request().getParam("follow", "false"));
        List<Pod> pods = cluster.pods(lease.id(), service == null || service.isBlank() ? null : service);
        if (follow) {
            String fingerprint = ClientIdentity.fingerprint(clientCertificate(ctx));
            boolean[] admitted = {false};
            followsByLease.compute(lease.id(), (id, open) -> {
                int count = open == null ? 0 : open;
                admitted[0] = count < MAX_FOLLOWS_PER_LEASE;
                return admitted[0] ? count + 1 : open;
            });
            if (!admitted[0]) {
                throw GatewayError.of(429, "TooManyLogFollows", "lease " + lease.id() + " already has "
                        + MAX_FOLLOWS_PER_LEASE + " followed log streams open; close one first");
            }
            new LogFollow(ctx.response(), lease.id(), lease.tenant(), fingerprint).start(pods, tail);
            return;
        }
        StringBuilder out = new StringBuilder();
        for (Pod pod : pods) {
            if (out.length() >= TAIL_BYTES) {
                out.append("[gateway] (the rest is left out: a tail answers at most ").append(TAIL_BYTES >> 20)
                        .append(" MiB; ask for one service, or fewer lines)\n");
                break;
            }
            Optional<String> notScheduled = cluster.notScheduled(pod);
            if (notScheduled.isPresent()) {
                out.append(noLog(pod, notScheduled.get()));
                continue;
            }
            String log;
            try {
                log = cluster.tail(pod, tail, TAIL_BYTES_PER_POD);
            } catch (KubernetesClientException e) {
                out.append(noLog(pod, e));
                continue;
            }
            if (log == null || log.isEmpty()) {
                continue;
            }
            for (String line : log.split("\n", -1)) {
                if (!line.isEmpty()) {
                    out.append('[').append(pod.getMetadata().getName()).append("] ").append(line).append('\n');
                }
            }
        }
        ctx.response().setStatusCode(200).putHeader("Content-Type", "text/plain; charset=utf-8").end(out.toString());
    }

    /**
     * The line for a pod whose log the API server refuses with 400: its container has not started yet (pulling
     * or failing to pull its image, not scheduled) and has no log, which is news for the tenant, not a gateway
     * failure. Anything else is one. (A followed log is checked beforehand, {@link LeaseCluster#notStarted}.)
     */
    private static String noLog(Pod pod, KubernetesClientException e) {
        if (e.getCode() != 400) {
            throw e;
        }
        return noLog(pod, e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                : e.getMessage());
    }

    private static String noLog(Pod pod, String why) {
        return "[" + pod.getMetadata().getName() + "] (no log: " + why + ")\n";
    }

    /** {@code DELETE /lease/{id}}: the tenant asks the provider to tear the workload down. */
    void closeLease(RoutingContext ctx) {
        long leaseId = leaseId(ctx);
        Lease lease = ours(leaseId, chain.freshLease(leaseId));
        requireTenant(lease, ctx);
        LeaseCluster.Teardown teardown = cluster.tearDown(leaseId, lease.state());
        LOG.infof("lease %d: tenant %s asked to tear down (chain state %s): %s", leaseId, lease.tenant(), lease.state(),
                teardown);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("leaseId", leaseId);
        body.put("message", switch (teardown) {
            case MARKED_CLOSED -> "the lease is closed on chain; the provider removes its namespace";
            case WORKLOAD_DELETED -> "the workload is being removed; close the lease on chain to stop paying";
            case NOTHING_TO_DELETE -> "nothing was running; close the lease on chain to stop paying";
        });
        GatewayServer.sendJson(ctx, 202, body);
    }

    /** {@code GET /status}: any client that passed the TLS handshake may ask what this provider offers. */
    void providerStatus(RoutingContext ctx) {
        Optional<Provider> registered = chain.provider(provider);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("provider", provider);
        body.put("region", registered.map(Provider::region).orElse(""));
        body.put("zone", registered.map(Provider::zone).orElse(""));
        body.put("gpus", gpus(inventory.read()));
        body.put("activeLeases", chain.activeLeaseCount(provider));
        GatewayServer.sendJson(ctx, 200, body);
    }

    /**
     * GPUs per model as the provider bids and registers them (schedulable, ready nodes; what running pods hold is
     * not available), with the nodes' product labels behind each model.
     */
    private static List<GpuAvailability> gpus(Inventory inventory) {
        return inventory.gpuOffers().stream()
                .map(o -> new GpuAvailability(o.model(), String.join(",", inventory.gpuProducts(o.model())),
                        o.total(), o.available()))
                .toList();
    }

    /** One model's GPUs in {@code GET /status}; {@code product} is its nodes' product labels, comma-separated. */
    @RegisterForReflection
    record GpuAvailability(String model, String product, int total, int available) {
    }

    private Lease authorisedLease(RoutingContext ctx) {
        long leaseId = leaseId(ctx);
        Lease lease = ours(leaseId, chain.lease(leaseId));
        requireTenant(lease, ctx);
        return lease;
    }

    private Lease ours(long leaseId, Optional<Lease> lease) {
        return lease.filter(l -> l.provider().equalsIgnoreCase(provider))
                .orElseThrow(() -> GatewayError.unknownLease(leaseId));
    }

    /** Refuses the request unless the lease's tenant published the presented certificate and did not revoke it. */
    private void requireTenant(Lease lease, RoutingContext ctx) {
        String fingerprint = ClientIdentity.fingerprint(clientCertificate(ctx));
        if (!chain.vouches(lease.tenant(), fingerprint)) {
            throw GatewayError.notTenant("the client certificate " + fingerprint + " is not published by the tenant"
                    + " of lease " + lease.id() + " in the on-chain certificate registry (or was revoked)");
        }
    }

    private static X509Certificate clientCertificate(RoutingContext ctx) {
        SSLSession session = ctx.request().sslSession();
        try {
            Certificate[] chain = session == null ? null : session.getPeerCertificates();
            if (chain != null && chain.length > 0 && chain[0] instanceof X509Certificate certificate) {
                return certificate;
            }
        } catch (SSLPeerUnverifiedException e) {
            // falls through: the TLS layer requires a certificate, so this only happens on a misconfigured server
        }
        throw GatewayError.notTenant("no client certificate was presented");
    }

    private static long leaseId(RoutingContext ctx) {
        String raw = ctx.pathParam("leaseId");
        try {
            long id = Long.parseLong(raw);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw GatewayError.of(404, "UnknownLease", "'" + raw + "' is not a lease id");
    }

    private static int tail(String raw) {
        if (raw == null || raw.isBlank()) {
            return DEFAULT_TAIL;
        }
        try {
            return Math.max(0, Math.min(MAX_TAIL, Integer.parseInt(raw)));
        } catch (NumberFormatException e) {
            throw GatewayError.of(400, "InvalidParameter", "tail must be a number of lines, got '" + raw + "'");
        }
    }

    private static Manifest parse(byte[] yaml) {
        try {
            return ManifestParser.parse(yaml);
        } catch (ManifestException e) {
            throw GatewayError.invalidManifest(e.getMessage(), e.field().isEmpty() ? null : e.field());
        }
    }

    private static List<String> envNames(Manifest manifest) {
        List<String> names = new ArrayList<>();
        manifest.services().values().forEach(s -> s.env().keySet().forEach(k -> names.add(s.name() + "." + k)));
        return names;
    }

    /** Followed log responses still checking the lease on chain; zero once every follow has ended. */
    int followsCheckingTheChain() {
        return followsCheckingTheChain.get();
    }

    @Override
    public void close() {
        logPumps.shutdownNow();
        cluster.close();
    }

    /**
     * One {@code follow=true} response: a log stream per pod, pumped into one chunked response until every stream
     * ends, the client goes away, or the lease closes on chain.
     */
    private final class LogFollow {
        private final HttpServerResponse response;
        private final long leaseId;
        private final String tenant;
        private final String fingerprint;
        private final List<LogWatch> watches = new ArrayList<>();
        private final AtomicBoolean stopped = new AtomicBoolean();
        private final AtomicInteger running = new AtomicInteger();
        private final Object drained = new Object();
        private long leaseCheck = -1;

        LogFollow(HttpServerResponse response, long leaseId, String tenant, String fingerprint) {
            this.response = response;
            this.leaseId = leaseId;
            this.tenant = tenant;
            this.fingerprint = fingerprint;
        }

        void start(List<Pod> pods, int tail) {
            response.setStatusCode(200).setChunked(true).putHeader("Content-Type", "text/plain; charset=utf-8");
            response.closeHandler(v -> stop(false));
            // A pump waits while the client reads slower than its pod logs, rather than buffering without bound.
            response.drainHandler(v -> {
                synchronized (drained) {
                    drained.notifyAll();
                }
            });
            if (pods.isEmpty()) {
                stop(true);
                return;
            }
            running.set(pods.size());
            synchronized (this) {
                if (stopped.get()) {
                    return; // the client went away already
                }
                // Set before any stop can run (stop takes this lock), so that every stop cancels it. Set after the
                // loop, a follow whose pods had all not started stopped first and left its check running for ever.
                // The stream ends when the lease closes, and when the tenant revokes the certificate it was asked with
                // (as a new request would be refused then), each seen within the ChainView's cache time.
                leaseCheck = vertx.setPeriodic(FOLLOW_LEASE_CHECK.toMillis(), id -> vertx.executeBlocking(() -> {
                    if (chain.lease(leaseId).map(l -> !l.isActive()).orElse(true) || !chain.vouches(tenant, fingerprint)) {
                        stop(true);
                    }
                    return null;
                }, false));
                followsCheckingTheChain.incrementAndGet();
                try {
                    for (Pod pod : pods) {
                        Optional<String> notStarted = cluster.notStarted(pod);
                        if (notStarted.isPresent()) {
                            write(noLog(pod, notStarted.get()));
                            if (running.decrementAndGet() == 0) {
                                stop(true);
                            }
                            continue;
                        }
                        LogWatch watch = cluster.follow(pod, tail);
                        watches.add(watch);
                        logPumps.execute(() -> pump(pod.getMetadata().getName(), watch));
                    }
                } catch (RuntimeException e) {
                    // The API server refused a stream: no check, stream or slot of this follow outlives it.
                    stop(false);
                    throw e;
                }
            }
        }

        private void pump(String pod, LogWatch watch) {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(watch.getOutput(), StandardCharsets.UTF_8))) {
                String line;
                while (!stopped.get() && (line = lines.readLine()) != null) {
                    awaitDrained();
                    write("[" + pod + "] " + line + "\n");
                }
            } catch (IOException | RuntimeException e) {
                if (!stopped.get()) {
                    LOG.debugf("lease %d: log stream of pod %s ended: %s", leaseId, pod, e.getMessage());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (running.decrementAndGet() == 0) {
                    stop(true);
                }
            }
        }

        /** Waits while the response's write queue is full; the pod's log stream then waits in its turn. */
        private void awaitDrained() throws InterruptedException {
            synchronized (drained) {
                while (!stopped.get() && response.writeQueueFull()) {
                    drained.wait(1_000); // also woken by nothing: the queue is looked at again each second
                }
            }
        }

        private synchronized void write(String text) {
            if (!stopped.get()) {
                response.write(text);
            }
        }

        private synchronized void stop(boolean endResponse) {
            if (!stopped.compareAndSet(false, true)) {
                return;
            }
            followsByLease.computeIfPresent(leaseId, (id, open) -> open <= 1 ? null : open - 1);
            if (leaseCheck >= 0) {
                vertx.cancelTimer(leaseCheck);
                followsCheckingTheChain.decrementAndGet();
            }
            synchronized (drained) {
                drained.notifyAll();
            }
            watches.forEach(LogWatch::close);
            if (endResponse && !response.ended() && !response.closed()) {
                response.end();
            }
        }
    }
}
