package org.openspheron.chain.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.web3j.protocol.Service;

/**
 * web3j's transport to public or paid RPC endpoints, which rate-limit and sometimes go away. Every call, single or
 * batch (web3j hands both to {@link #performIO} as one JSON payload):
 * <ul>
 *   <li>waits for the process's {@link RequestBudget}, so the configured requests per second are never exceeded;</li>
 *   <li>goes to the current URL; on an I/O failure, an HTTP 5xx or repeated 429s the transport moves on to the next
 *       URL, and goes back to the first {@link RpcOptions#returnToFirstAfter()} after a failover;</li>
 *   <li>is retried: a 429 after its {@code Retry-After} for at most {@link RpcOptions#retryFor()}; a URL that does
 *       not answer (refused, reset, timed out, 5xx) with short capped backoff until every URL failed twice, so an
 *       outage reaches the caller in a second, not after minutes; then it fails with {@link RpcUnavailableException}
 *       naming the URLs and the method: never dropped silently. The callers (the provider's duties, the matchmaker's
 *       loop) retry a pass that failed.</li>
 * </ul>
 * A JSON-RPC error is an answer (a revert, "nonce too low") and is handed to web3j as it came, never retried. The
 * one exception makes resending safe: {@code eth_sendRawTransaction} answered "already known" (the node has this
 * very signed transaction, typically because an earlier attempt reached it before its answer was lost) is turned
 * into the answer the first attempt would have had, the transaction's hash; so is a resend refused with "nonce too
 * low" when the node has this very transaction (the lost attempt got it mined). {@code eth_sendTransaction} (the node
 * signs, with its own nonce) is the other way round: it is not resent once it may have reached the node.
 */
public final class RpcTransport extends Service {
    /** An attempt that failed in the network: refused, reset, timed out. */
    public static final String IO = "io";
    /** HTTP 429, or a JSON-RPC answer saying the caller is rate-limited. */
    public static final String RATE_LIMITED = "rate_limited";
    /** HTTP 5xx without a JSON-RPC answer. */
    public static final String SERVER = "server";
    /** Another HTTP error without a JSON-RPC answer (401, 403, 404): not retried. */
    public static final String HTTP = "http";
    /** A call failed for good: every attempt within the retry budget failed. */
    public static final String GAVE_UP = "gave_up";
    public static final List<String> ERROR_KINDS = List.of(IO, RATE_LIMITED, SERVER, HTTP, GAVE_UP);

    /**
     * Its own mapper, not web3j's inherited field: under Quarkus tests web3j is loaded parent-first, and touching its
     * Jackson or OkHttp types from here is a loader constraint violation.
     */
    private static final ObjectMapper JSON_MAPPER = new ObjectMapper();
    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
    /** 429s in a row from one URL after which another URL is tried, if there is one. */
    private static final int REPEATED_429 = 3;
    /**
     * How many times each URL may fail without an answer (refused, reset, timed out, 5xx) within one call before the
     * call fails: a blip is retried, an outage is reported at once. Rate limiting (429) is waited out instead, up to
     * {@link RpcOptions#retryFor()}: the node is up and asks for patience.
     */
    private static final int DOWN_ROUNDS = 2;
    private static final long FIRST_BACKOFF_NANOS = Duration.ofMillis(200).toNanos();
    private static final long MAX_BACKOFF_NANOS = Duration.ofSeconds(5).toNanos();
    /** Error answers are small; larger answers are results and are not parsed here. */
    private static final int SMALL_ANSWER = 4096;

    private final List<Endpoint> endpoints;
    private final OkHttpClient http;
    private final RequestBudget budget;
    private final RpcOptions options;
    private final RpcStats stats = new RpcStats();
    private final RpcListener listener;
    private int active;
    private long failedOverAt;

    public RpcTransport(List<String> urls, RpcOptions options) {
        // OkHttp's own silent retry would resend outside the budget and the counters: this transport retries itself.
        this(urls, options, new OkHttpClient.Builder().retryOnConnectionFailure(false).build());
    }

    RpcTransport(List<String> urls, RpcOptions options, OkHttpClient http) {
        super(false);
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("at least one RPC URL is needed");
        }
        this.endpoints = urls.stream().map(Endpoint::new).toList();
        this.options = options;
        this.http = http;
        this.budget = new RequestBudget(options.requestsPerSecond());
        this.listener = new Both(stats, options.listener());
    }

    /**
     * The URLs of a comma-separated list, in order. Throws {@link IllegalArgumentException} for an empty list or
     * anything that is not an http(s) URL.
     */
    public static List<String> parseUrls(String commaSeparated) {
        List<String> urls = new ArrayList<>();
        for (String part : String.valueOf(commaSeparated).split(",")) {
            String url = part.trim();
            if (url.isEmpty()) {
                continue;
            }
            String scheme;
            try {
                URI uri = URI.create(url);
                scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if (uri.getHost() == null) {
                    throw new IllegalArgumentException("no host");
                }
            } catch (IllegalArgumentException e) {
                // URI's own message repeats the whole URL, API key included: only its reason and position are kept.
                String why = e.getCause() instanceof java.net.URISyntaxException syntax
                        ? syntax.getReason() + " at index " + syntax.getIndex() : e.getMessage();
                throw new IllegalArgumentException("not an RPC URL: '" + RpcUrls.shown(url) + "' (" + why + ")");
            }
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new IllegalArgumentException("not an http(s) RPC URL: '" + RpcUrls.shown(url) + "'");
            }
            urls.add(url);
        }
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("no RPC URL in '" + commaSeparated + "'");
        }
        return List.copyOf(urls);
    }

    public List<String> urls() {
        return endpoints.stream().map(Endpoint::url).toList();
    }

    /** The URLs as logs and errors show them (API keys masked: {@link RpcUrls#shown}). */
    public String shownUrls() {
        return String.join(", ", urls().stream().map(RpcUrls::shown).toList());
    }

    public RpcStats.Snapshot stats() {
        return stats.snapshot();
    }

    @Override
    protected InputStream performIO(String payload) throws IOException {
        return new ByteArrayInputStream(exchange(payload, Calls.read(payload, JSON_MAPPER)));
    }

    private byte[] exchange(String payload, Calls calls) throws IOException {
        long deadline = System.nanoTime() + options.retryFor().toNanos();
        int failures = 0;
        int down = 0;
        boolean mayHaveArrived = false;
        while (true) {
            budget.take(calls.size());
            Endpoint endpoint = current();
            calls.methods().forEach(method -> listener.request(method, endpoint.url()));
            stats.posted();
            Attempt attempt = attempt(endpoint, payload, calls);
            if (attempt.answer() != null) {
                endpoint.answered();
                byte[] settled = calls.settle(attempt.answer(), JSON_MAPPER);
                return mayHaveArrived && calls.nonceTooLow(settled, JSON_MAPPER) ? ownIfMined(calls, settled) : settled;
            }
            mayHaveArrived |= attempt.mayHaveArrived();
            listener.error(attempt.kind(), endpoint.url());
            if (attempt.kind().equals(HTTP)) {
                throw new IOException(attempt.detail() + " from " + RpcUrls.shown(endpoint.url()) + " for " + calls.label(), attempt.cause());
            }
            if (calls.nodeSigns() && attempt.mayHaveArrived()) {
                throw new IOException(calls.label() + " to " + RpcUrls.shown(endpoint.url()) + " failed (" + attempt.detail()
                        + ") and is not resent: the node may have signed and sent it, and a resend would be a second "
                        + "transaction", attempt.cause());
            }
            failures++;
            if (!attempt.kind().equals(RATE_LIMITED) && ++down >= DOWN_ROUNDS * endpoints.size()) {
                // Every URL refused, timed out or failed twice: the chain is down, and the caller (which has its own
                // retry, and may report readiness or try later) hears it now rather than after retryFor.
                throw gaveUp(calls, failures, endpoint, attempt);
            }
            boolean moved = attempt.moveOn() && failover(endpoint);
            long remaining = deadline - System.nanoTime();
            long delay = moved && failures % endpoints.size() != 0 ? 0
                    : !moved && attempt.retryAfterNanos() > 0 ? attempt.retryAfterNanos()
                    : backoffNanos(failures);
            if (remaining <= 0 || (!moved && attempt.retryAfterNanos() > remaining)) {
                throw gaveUp(calls, failures, endpoint, attempt);
            }
            Pause.nanos(Math.min(delay, remaining));
        }
    }

    /**
     * A resent raw transaction refused for its nonce: when the attempt whose answer was lost got it mined first, the
     * node knows it by its hash, and the answer is that hash, as the first attempt would have said. A transaction
     * of someone else's at that nonce, or a node that cannot say, leaves the refusal as it came.
     */
    private byte[] ownIfMined(Calls calls, byte[] refusal) throws IOException {
        String hash = calls.rawTransactionHash();
        try {
            String lookup = JSON_MAPPER.writeValueAsString(Map.of("jsonrpc", "2.0", "id", 1,
                    "method", "eth_getTransactionByHash", "params", List.of(hash)));
            JsonNode known = Calls.tree(exchange(lookup, Calls.read(lookup, JSON_MAPPER)), 1 << 20, JSON_MAPPER);
            if (known != null && known.path("result").isObject()
                    && hash.equalsIgnoreCase(known.path("result").path("hash").asText(""))) {
                return calls.answeredWith(hash, JSON_MAPPER);
            }
        } catch (java.io.InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            // The refusal is the node's word; the sender re-reads its nonce and the caller its state.
        }
        return refusal;
    }

    private Attempt attempt(Endpoint endpoint, String payload, Calls calls) throws IOException {
        Request request = new Request.Builder().url(endpoint.url()).post(RequestBody.create(payload, JSON)).build();
        try (Response response = http.newCall(request).execute()) {
            ResponseBody body = response.body();
            byte[] bytes = body == null ? new byte[0] : body.bytes();
            int code = response.code();
            if (code == 429) {
                return Attempt.failed(RATE_LIMITED, "HTTP 429", endpoint.rateLimited(),
                        retryAfterNanos(response.header("Retry-After")));
            }
            if (response.isSuccessful()) {
                if (calls.isSingle() && isRateLimitAnswer(bytes)) {
                    return Attempt.failed(RATE_LIMITED, "a rate-limit answer", endpoint.rateLimited(), 0);
                }
                return Attempt.answered(bytes);
            }
            if (isJsonRpcAnswer(bytes)) {
                // Some nodes send a JSON-RPC error (a revert) with an HTTP error status: still an answer.
                return Attempt.answered(bytes);
            }
            String detail = "HTTP " + code + snippet(bytes);
            return code >= 500 ? Attempt.failed(SERVER, detail, true, 0) : new Attempt(null, HTTP, detail, false, 0, null);
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw e;
            }
            return new Attempt(null, IO, e.toString(), true, 0, e);
        }
    }

    private synchronized Endpoint current() {
        if (active != 0 && System.nanoTime() - failedOverAt >= options.returnToFirstAfter().toNanos()) {
            active = 0;
        }
        return endpoints.get(active);
    }

    /** Moves past {@code failed} unless another thread already has; false when there is nowhere to move. */
    private synchronized boolean failover(Endpoint failed) {
        if (endpoints.size() == 1) {
            return false;
        }
        if (endpoints.get(active) == failed) {
            active = (active + 1) % endpoints.size();
            failedOverAt = System.nanoTime();
            listener.failover(failed.url(), endpoints.get(active).url());
        }
        return true;
    }

    private RpcUnavailableException gaveUp(Calls calls, int failures, Endpoint endpoint, Attempt last) {
        listener.error(GAVE_UP, endpoint.url());
        return new RpcUnavailableException("cannot reach the chain: no answer to " + calls.label() + " from "
                + shownUrls() + " (" + failures + " failed attempts; the last: " + last.detail() + " from "
                + RpcUrls.shown(endpoint.url()) + ")", last.cause());
    }

    /** Exponential from 200 ms, capped at 5 s, each delay drawn between half and all of it so callers spread out. */
    static long backoffNanos(int failures) {
        long full = Math.min(MAX_BACKOFF_NANOS, FIRST_BACKOFF_NANOS << Math.min(failures - 1, 16));
        return full / 2 + ThreadLocalRandom.current().nextLong(full / 2 + 1);
    }

    /** {@code Retry-After} as seconds or as an HTTP date; 0 when absent or unreadable. */
    static long retryAfterNanos(String header) {
        if (header == null || header.isBlank()) {
            return 0;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(header.trim()))).toNanos();
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                return Math.max(0, Duration.between(ZonedDateTime.now(at.getZone()), at).toNanos());
            } catch (DateTimeParseException unreadable) {
                return 0;
            }
        }
    }

    private boolean isJsonRpcAnswer(byte[] body) {
        JsonNode tree = Calls.tree(body, Integer.MAX_VALUE, JSON_MAPPER);
        JsonNode first = tree != null && tree.isArray() && !tree.isEmpty() ? tree.get(0) : tree;
        return first != null && first.isObject() && first.has("jsonrpc") && (first.has("result") || first.has("error"));
    }

    private boolean isRateLimitAnswer(byte[] body) {
        JsonNode tree = Calls.tree(body, SMALL_ANSWER, JSON_MAPPER);
        if (tree == null || !tree.path("error").isObject()) {
            return false;
        }
        JsonNode error = tree.get("error");
        String message = error.path("message").asText("").toLowerCase(Locale.ROOT);
        return error.path("code").asLong() == 429 || message.contains("rate limit") || message.contains("rate-limit")
                || message.contains("too many requests");
    }

    private static String snippet(byte[] body) {
        String text = new String(body, java.nio.charset.StandardCharsets.UTF_8).strip();
        return text.isEmpty() ? "" : ": " + (text.length() > 200 ? text.substring(0, 200) + "..." : text);
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    /** One RPC URL and its run of 429s. */
    private static final class Endpoint {
        private final String url;
        private final AtomicInteger tooManyInARow = new AtomicInteger();

        Endpoint(String url) {
            this.url = url;
        }

        String url() {
            return url;
        }

        /** Counts a 429; true (and the count starts over) when they have come {@link #REPEATED_429} times in a row. */
        boolean rateLimited() {
            if (tooManyInARow.incrementAndGet() >= REPEATED_429) {
                tooManyInARow.set(0);
                return true;
            }
            return false;
        }

        void answered() {
            tooManyInARow.set(0);
        }
    }

    /** Either an answer to hand to web3j, or why there was none. */
    private record Attempt(byte[] answer, String kind, String detail, boolean moveOn, long retryAfterNanos,
            IOException cause) {
        /** Whether the node may have acted on the request: anything but a refused connection or a 429. */
        boolean mayHaveArrived() {
            return !kind.equals(RATE_LIMITED) && !(cause instanceof java.net.ConnectException);
        }

        static Attempt answered(byte[] answer) {
            return new Attempt(answer, null, null, false, 0, null);
        }

        static Attempt failed(String kind, String detail, boolean moveOn, long retryAfterNanos) {
            return new Attempt(null, kind, detail, moveOn, retryAfterNanos, null);
        }
    }

    private record Both(RpcListener first, RpcListener second) implements RpcListener {
        @Override
        public void request(String method, String url) {
            first.request(method, url);
            second.request(method, url);
        }

        @Override
        public void error(String kind, String url) {
            first.error(kind, url);
            second.error(kind, url);
        }

        @Override
        public void failover(String from, String to) {
            first.failover(from, to);
            second.failover(from, to);
        }
    }
}
