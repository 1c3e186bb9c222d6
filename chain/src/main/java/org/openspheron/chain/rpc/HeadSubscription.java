package org.openspheron.chain.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

/**
 * The chain's head as a WebSocket {@code eth_subscribe("newHeads")} pushes it, so that a process learns of a new
 * block without an {@code eth_blockNumber} call every poll, and at once rather than at the next poll.
 *
 * <p>Only the head comes this way; every call still goes over HTTP through {@link RpcTransport} (budget, retries,
 * failover, batches). The head is a hint, never the only source: {@link #head()} is empty while the socket is down
 * (it reconnects by itself, waiting 1 s doubling to 30 s), before the first block arrives, and when no block came for
 * {@code staleAfter} (a socket that died silently, which the 20 s pings also find), and the reader then polls as it
 * would without a subscription.
 */
public final class HeadSubscription implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HeadSubscription.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long FIRST_RETRY_MILLIS = 1_000;
    private static final long MAX_RETRY_MILLIS = 30_000;
    /** No head for this long and the reader polls: two or three missed slots even on a 12 s chain. */
    public static final Duration STALE_AFTER = Duration.ofSeconds(60);

    /** A block as {@code newHeads} announced it. */
    public record Head(long number, String hash, String parentHash, long receivedAtNanos) {
    }

    private final String url;
    private final Duration staleAfter;
    private final OkHttpClient http;
    private final ScheduledExecutorService retries;
    private final AtomicReference<Head> latest = new AtomicReference<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile WebSocket socket;
    private volatile boolean live;
    private volatile boolean closed;
    private long retryMillis = FIRST_RETRY_MILLIS;
    private volatile long heads;
    private volatile long reconnects;

    private HeadSubscription(String url, Duration staleAfter) {
        this.url = url;
        this.staleAfter = staleAfter;
        this.http = new OkHttpClient.Builder().pingInterval(Duration.ofSeconds(20)).build();
        this.retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "spheron-new-heads");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Subscribes to {@code wsUrl}'s new heads; returns at once (the socket opens in the background).
     *
     * @throws IllegalArgumentException when the URL is not ws:// or wss://
     */
    public static HeadSubscription open(String wsUrl, Duration staleAfter) {
        String scheme = wsUrl == null ? "" : wsUrl.trim().toLowerCase(Locale.ROOT);
        if (!scheme.startsWith("ws://") && !scheme.startsWith("wss://")) {
            throw new IllegalArgumentException("a newHeads subscription needs a ws:// or wss:// URL, not " + RpcUrls.shown(wsUrl));
        }
        if (staleAfter == null || staleAfter.isNegative() || staleAfter.isZero()) {
            throw new IllegalArgumentException("staleAfter must be positive, not " + staleAfter);
        }
        HeadSubscription subscription = new HeadSubscription(wsUrl.trim(), staleAfter);
        subscription.connect();
        return subscription;
    }

    /** The newest head announced, while the subscription is live and not stale; empty means: poll. */
    public OptionalLong head() {
        Head head = latest.get();
        if (closed || !live || head == null || System.nanoTime() - head.receivedAtNanos() > staleAfter.toNanos()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(head.number());
    }

    /** The newest head with its hashes, whatever its age; empty before the first. */
    public java.util.Optional<Head> latest() {
        return java.util.Optional.ofNullable(latest.get());
    }

    /** {@code listener} runs on the subscription's thread at every new head: keep it short (wake a duty). */
    public void onHead(Runnable listener) {
        listeners.add(listener);
    }

    public boolean live() {
        return live;
    }

    /** Heads received since the start. */
    public long heads() {
        return heads;
    }

    /** Times the socket was opened again after it closed or failed. */
    public long reconnects() {
        return reconnects;
    }

    public String url() {
        return url;
    }

    /** Synchronized with {@link #retryLater}: a socket that fails at once is known as the current one by then. */
    private synchronized void connect() {
        if (closed) {
            return;
        }
        socket = http.newWebSocket(new Request.Builder().url(url).build(), new Listener());
    }

    /**
     * Once per socket: a failing socket reports both its error and its close, and only the current one counts, so
     * there is never more than one socket and one reconnect at a time.
     */
    private synchronized void retryLater(WebSocket failed, String why) {
        if (failed != socket) {
            return;
        }
        socket = null;
        live = false;
        if (closed || retries.isShutdown()) {
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "newHeads subscription at {0} is down ({1}); polling the head until it "
                + "is back, reconnecting in {2} ms", RpcUrls.shown(url), why, retryMillis);
        long wait = retryMillis;
        retryMillis = Math.min(MAX_RETRY_MILLIS, retryMillis * 2);
        retries.schedule(() -> {
            reconnects++;
            connect();
        }, wait, TimeUnit.MILLISECONDS);
    }

    private synchronized boolean current(WebSocket webSocket) {
        return webSocket == socket;
    }

    private synchronized void opened() {
        retryMillis = FIRST_RETRY_MILLIS;
    }

    private void received(String text) throws IOException {
        if (closed) {
            return; // a message the socket delivered while closing: a closed subscription announces nothing
        }
        JsonNode message = JSON.readTree(text);
        if (message.has("error")) {
            throw new IOException("the node refused eth_subscribe(newHeads): " + message.get("error"));
        }
        if (!"eth_subscription".equals(message.path("method").asText())) {
            return; // the subscription id
        }
        JsonNode block = message.path("params").path("result");
        String number = block.path("number").asText("");
        if (!number.startsWith("0x")) {
            throw new IOException("a newHeads message without a block number: " + text);
        }
        Head head = new Head(Long.parseLong(number.substring(2), 16), block.path("hash").asText(),
                block.path("parentHash").asText(), System.nanoTime());
        // Always the last announced, even when lower (a reorg to a shorter chain): the reader checks hashes.
        latest.set(head);
        live = true;
        heads++;
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a new-head listener failed", e);
            }
        }
    }

    private final class Listener extends WebSocketListener {
        @Override
        public void onOpen(WebSocket webSocket, Response response) {
            webSocket.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_subscribe\",\"params\":[\"newHeads\"]}");
            opened();
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
            if (!current(webSocket)) {
                return;
            }
            try {
                received(text);
            } catch (IOException | RuntimeException e) {
                retryLater(webSocket, e.getMessage());
                webSocket.cancel();
            }
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
            webSocket.close(1000, null);
        }

        @Override
        public void onClosed(WebSocket webSocket, int code, String reason) {
            retryLater(webSocket, "closed: " + code + (reason.isEmpty() ? "" : " " + reason));
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable t, Response response) {
            retryLater(webSocket, t.getClass().getSimpleName() + ": " + t.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        live = false;
        retries.shutdownNow();
        WebSocket current = socket;
        if (current != null) {
            current.close(1000, "closing");
        }
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
