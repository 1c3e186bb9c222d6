package org.openspheron.chain.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A misbehaving RPC endpoint on loopback: it answers the next requests from a script (429s, 5xx, hang-ups) and the
 * rest as usual, either by passing them to a real node or from canned results. It records what it received.
 */
public final class FlakyRpcEndpoint implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the endpoint does with one request. */
    public interface Reply {
        void send(FlakyRpcEndpoint endpoint, HttpExchange exchange, String body) throws IOException;
    }

    /** One request as it arrived. */
    public record Received(long atNanos, List<String> methods) {
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Queue<Reply> script = new ConcurrentLinkedQueue<>();
    private final List<Received> received = new ArrayList<>();
    private final Reply usual;
    private volatile Reply meanwhile;
    private final HttpClient upstreamClient = HttpClient.newHttpClient();

    private FlakyRpcEndpoint(Reply usual) {
        this.usual = usual;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Passes requests on to the node at {@code upstream}. */
    public static FlakyRpcEndpoint proxyTo(String upstream) {
        return new FlakyRpcEndpoint(forward(upstream));
    }

    /** Answers each call with {@code result.apply(method)}. */
    static FlakyRpcEndpoint answering(Function<String, Object> result) {
        return new FlakyRpcEndpoint(answer(result));
    }

    /** The next requests get these replies, in order; then the usual one. */
    public FlakyRpcEndpoint then(Reply... replies) {
        script.addAll(List.of(replies));
        return this;
    }

    /**
     * Every request gets {@code reply} until this is called again with null (an outage, a rate-limit storm of any
     * length), after the scripted replies.
     */
    public void meanwhile(Reply reply) {
        meanwhile = reply;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public synchronized List<Received> received() {
        return List.copyOf(received);
    }

    /** The calls received, batches counted per call, with the method. */
    public long calls(String method) {
        return received().stream().flatMap(r -> r.methods().stream()).filter(method::equals).count();
    }

    public static Reply tooManyRequests(String retryAfter) {
        return (endpoint, exchange, body) -> {
            if (retryAfter != null) {
                exchange.getResponseHeaders().add("Retry-After", retryAfter);
            }
            respond(exchange, 429, "{\"message\":\"rate limit exceeded\"}");
        };
    }

    static Reply status(int code, String text) {
        return (endpoint, exchange, body) -> respond(exchange, code, text);
    }

    /** Closes the connection without an answer. */
    public static Reply hangUp() {
        return (endpoint, exchange, body) -> exchange.close();
    }

    /** Lets the request reach the node, then loses the node's answer: what a dropped connection does. */
    static Reply forwardThenHangUp(String upstream) {
        return (endpoint, exchange, body) -> {
            endpoint.post(upstream, body);
            exchange.close();
        };
    }

    static Reply forward(String upstream) {
        return (endpoint, exchange, body) -> respond(exchange, 200, endpoint.post(upstream, body));
    }

    /**
     * Passes requests on to {@code upstream}, except an {@code eth_getLogs} over more than {@code maxBlocks} blocks,
     * refused in QuickNode's words (HTTP 413, JSON-RPC error -32614 "eth_getLogs is limited to a 10,000 range").
     */
    public static Reply capLogRanges(String upstream, long maxBlocks) {
        return (endpoint, exchange, body) -> {
            JsonNode call = JSON.readTree(body);
            if (!call.isArray() && "eth_getLogs".equals(call.path("method").asText())) {
                JsonNode filter = call.path("params").path(0);
                long from = Long.decode(filter.path("fromBlock").asText("0x0"));
                long to = Long.decode(filter.path("toBlock").asText("0x0"));
                if (to - from + 1 > maxBlocks) {
                    ObjectNode answer = envelope(call);
                    answer.putObject("error").put("code", -32614)
                            .put("message", "eth_getLogs is limited to a " + String.format("%,d", maxBlocks) + " range");
                    respond(exchange, 413, JSON.writeValueAsString(answer));
                    return;
                }
            }
            respond(exchange, 200, endpoint.post(upstream, body));
        };
    }

    /** The JSON-RPC error {@code code, message} for every call, with HTTP status {@code httpStatus}. */
    public static Reply error(int httpStatus, int code, String message) {
        return (endpoint, exchange, body) -> {
            ObjectNode answer = envelope(JSON.readTree(body));
            answer.putObject("error").put("code", code).put("message", message);
            respond(exchange, httpStatus, JSON.writeValueAsString(answer));
        };
    }

    static Reply answer(Function<String, Object> result) {
        return (endpoint, exchange, body) -> {
            JsonNode request = JSON.readTree(body);
            if (request.isArray()) {
                ArrayNode answers = JSON.createArrayNode();
                request.forEach(call -> answers.add(answered(call, result)));
                respond(exchange, 200, JSON.writeValueAsString(answers));
            } else {
                respond(exchange, 200, JSON.writeValueAsString(answered(request, result)));
            }
        };
    }

    private static ObjectNode answered(JsonNode call, Function<String, Object> result) {
        ObjectNode answer = envelope(call);
        answer.set("result", JSON.valueToTree(result.apply(call.path("method").asText())));
        return answer;
    }

    private static ObjectNode envelope(JsonNode call) {
        ObjectNode answer = JSON.createObjectNode();
        answer.put("jsonrpc", "2.0");
        answer.set("id", call.get("id"));
        return answer;
    }

    private void handle(HttpExchange exchange) throws IOException {
        long at = System.nanoTime();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        JsonNode request = JSON.readTree(body);
        List<String> methods = new ArrayList<>();
        if (request.isArray()) {
            request.forEach(call -> methods.add(call.path("method").asText()));
        } else {
            methods.add(request.path("method").asText());
        }
        synchronized (this) {
            received.add(new Received(at, List.copyOf(methods)));
        }
        Reply next = script.poll();
        Reply now = meanwhile;
        try {
            (next != null ? next : now != null ? now : usual).send(this, exchange, body);
        } finally {
            exchange.close();
        }
    }

    private String post(String upstream, String body) throws IOException {
        try {
            return upstreamClient.send(HttpRequest.newBuilder(URI.create(upstream))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static void respond(HttpExchange exchange, int code, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
