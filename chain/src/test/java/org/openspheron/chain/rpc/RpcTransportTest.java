package org.openspheron.chain.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.ChainConnection;
import org.openspheron.chain.ChainException;
import org.openspheron.chain.LocalChain;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.BatchResponse;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.http.HttpService;
import org.web3j.utils.Numeric;

/** {@link RpcTransport} in front of endpoints that rate-limit, fail and go away, most of them before a real anvil. */
class RpcTransportTest {
    private static LocalChain chain;
    private final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeAll
    static void startChain() {
        chain = LocalChain.startDefault();
    }

    @AfterAll
    static void stopChain() {
        chain.close();
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    @Test
    void aTooManyRequestsAnswerIsRetriedOnlyAfterItsRetryAfter() throws IOException {
        FlakyRpcEndpoint endpoint = open(FlakyRpcEndpoint.proxyTo(chain.rpcUrl())
                .then(FlakyRpcEndpoint.tooManyRequests("1")));
        RpcTransport transport = transport(RpcOptions.DEFAULT, endpoint.url());

        BigInteger block = web3j(transport).ethBlockNumber().send().getBlockNumber();

        assertThat(block).isEqualTo(chain.blockNumber());
        List<FlakyRpcEndpoint.Received> received = endpoint.received();
        assertThat(received).hasSize(2);
        assertThat(Duration.ofNanos(received.get(1).atNanos() - received.get(0).atNanos()))
                .isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(transport.stats().rateLimited()).isEqualTo(1);
        assertThat(transport.stats().requests("eth_blockNumber")).isEqualTo(2);
    }

    @Test
    void concurrentCallsThatMeetTooManyRequestsAllGetTheirOwnAnswers() throws Exception {
        FlakyRpcEndpoint endpoint = open(FlakyRpcEndpoint.proxyTo(chain.rpcUrl()).then(
                FlakyRpcEndpoint.tooManyRequests("0"), FlakyRpcEndpoint.tooManyRequests(null),
                FlakyRpcEndpoint.tooManyRequests("0"), FlakyRpcEndpoint.tooManyRequests(null)));
        Web3j web3j = web3j(transport(RpcOptions.DEFAULT, endpoint.url()));

        List<CompletableFuture<BigInteger>> balances = new ArrayList<>();
        for (int account = 0; account < 6; account++) {
            balances.add(web3j.ethGetBalance(chain.account(account).getAddress(), DefaultBlockParameterName.LATEST)
                    .sendAsync().thenApply(b -> b.getBalance()));
        }

        for (int account = 0; account < 6; account++) {
            assertThat(balances.get(account).get()).isEqualTo(
                    chain.web3j().ethGetBalance(chain.account(account).getAddress(), DefaultBlockParameterName.LATEST)
                            .send().getBalance());
        }
        assertThat(endpoint.calls("eth_getBalance")).isEqualTo(6 + 4);
    }

    @Test
    void aDeadFirstUrlFailsOverToTheSecond() {
        String dead = deadUrl();
        try (ChainConnection connection = ChainConnection.connect(dead + ", " + chain.rpcUrl(), null)) {
            assertThat(connection.chainId()).isEqualTo(LocalChain.CHAIN_ID);
            assertThat(connection.blockNumber()).isEqualTo(chain.blockNumber().longValueExact());

            RpcStats.Snapshot stats = connection.rpcStats();
            assertThat(stats.failovers()).isEqualTo(1);
            assertThat(stats.errors(RpcTransport.IO)).isEqualTo(1);
            assertThat(stats.requests("eth_chainId")).isEqualTo(2);
            assertThat(stats.requests("eth_blockNumber")).isEqualTo(1);
        }
    }

    @Test
    void aServerErrorFailsOverAndTheFirstUrlIsTriedAgainAfterAWhile() throws Exception {
        FlakyRpcEndpoint first = open(FlakyRpcEndpoint.proxyTo(chain.rpcUrl())
                .then(FlakyRpcEndpoint.status(503, "down for maintenance")));
        FlakyRpcEndpoint second = open(FlakyRpcEndpoint.proxyTo(chain.rpcUrl()));
        RpcTransport transport = transport(RpcOptions.DEFAULT.withReturnToFirstAfter(Duration.ofMillis(300)),
                first.url(), second.url());
        Web3j web3j = web3j(transport);

        web3j.ethBlockNumber().send();
        web3j.ethBlockNumber().send();
        assertThat(first.calls("eth_blockNumber")).isEqualTo(1);
        assertThat(second.calls("eth_blockNumber")).isEqualTo(2);

        Thread.sleep(400);
        web3j.ethBlockNumber().send();

        assertThat(first.calls("eth_blockNumber")).isEqualTo(2);
        assertThat(transport.stats().errors(RpcTransport.SERVER)).isEqualTo(1);
        assertThat(transport.stats().failovers()).isEqualTo(1);
    }

    @Test
    void repeatedTooManyRequestsFailOverToTheNextUrl() throws IOException {
        FlakyRpcEndpoint first = open(FlakyRpcEndpoint.proxyTo(chain.rpcUrl()).then(
                FlakyRpcEndpoint.tooManyRequests("0"), FlakyRpcEndpoint.tooManyRequests("0"),
                FlakyRpcEndpoint.tooManyRequests("0")));
        FlakyRpcEndpoint second = open(FlakyRpcEndpoint.proxyTo(chain.rpcUrl()));
        RpcTransport transport = transport(RpcOptions.DEFAULT, first.url(), second.url());

        web3j(transport).ethBlockNumber().send();

        assertThat(first.calls("eth_blockNumber")).isEqualTo(3);
        assertThat(second.calls("eth_blockNumber")).isEqualTo(1);
        assertThat(transport.stats().rateLimited()).isEqualTo(3);
        assertThat(transport.stats().failovers()).isEqualTo(1);
    }

    @Test
    void theBudgetKeepsEverySecondWithinItsRequestsPerSecond() throws Exception {
        FlakyRpcEndpoint endpoint = open(FlakyRpcEndpoint.answering(method -> "0x10"));
        RpcTransport transport = transport(RpcOptions.DEFAULT.withRequestsPerSecond(10), endpoint.url());
        Web3j web3j = web3j(transport);

        ExecutorService callers = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (int caller = 0; caller < 4; caller++) {
            done.add(callers.submit(() -> {
                for (int call = 0; call < 8; call++) {
                    web3j.ethBlockNumber().send();
                }
                return null;
            }));
        }
        for (Future<?> future : done) {
            future.get();
        }
        callers.shutdown();

        assertThat(endpoint.calls("eth_blockNumber")).isEqualTo(32);
        assertThat(mostCallsInAnyWindow(endpoint.received())).isLessThanOrEqualTo(10);
    }

    @Test
    void aBatchSpendsOneRequestOfTheBudgetPerCall() throws Exception {
        FlakyRpcEndpoint endpoint = open(FlakyRpcEndpoint.answering(method -> "0x10"));
        RpcTransport transport = transport(RpcOptions.DEFAULT.withRequestsPerSecond(10), endpoint.url());
        Web3j web3j = web3j(transport);

        CompletableFuture<Void> singles = CompletableFuture.runAsync(() -> {
            for (int call = 0; call < 8; call++) {
                web3j.ethBlockNumber().sendAsync().join();
            }
        });
        for (int batch = 0; batch < 3; batch++) {
            BatchResponse answers = web3j.newBatch().add(web3j.ethBlockNumber()).add(web3j.ethBlockNumber())
                    .add(web3j.ethBlockNumber()).add(web3j.ethBlockNumber()).send();
            assertThat(answers.getResponses()).hasSize(4);
        }
        singles.join();

        assertThat(endpoint.calls("eth_blockNumber")).isEqualTo(8 + 12);
        assertThat(transport.stats().requests("eth_blockNumber")).isEqualTo(20);
        assertThat(mostCallsInAnyWindow(endpoint.received())).isLessThanOrEqualTo(10);
    }

    @Test
    void aJsonRpcErrorIsAnAnswerAndIsNotRetried() throws IOException {
        FlakyRpcEndpoint endpoint = open(FlakyRpcEndpoint.answering(method -> "0x")
                .then(FlakyRpcEndpoint.error(200, 3, "execution reverted: OrderNotOpen"),
                        FlakyRpcEndpoint.error(500, -32000, "nonce too low")));
        Web3j web3j = web3j(transport(RpcOptions.DEFAULT, endpoint.url()));
        Transaction call = Transaction.createEthCallTransaction(chain.account(0).getAddress(),
                chain.account(1).getAddress(), "0x");

        EthCall reverted = web3j.ethCall(call, DefaultBlockParameterName.LATEST).send();
        EthSendTransaction refused = web3j.ethSendRawTransaction("0x01").send();

        assertThat(reverted.getError().getMessage()).isEqualTo("execution reverted: OrderNotOpen");
        assertThat(refused.getError().getMessage()).isEqualTo("nonce too low");
        assertThat(endpoint.calls("eth_call")).isEqualTo(1);
        assertThat(endpoint.calls("eth_sendRawTransaction")).isEqualTo(1);
    }

    @Test
    void aRawTransactionResentAfterItsAnswerWasLostReturnsItsHash() throws Exception {
        automine(false);
        try {
            FlakyRpcEndpoint endpoint = open(FlakyRpcEndpoint.proxyTo(chain.rpcUrl())
                    .then(FlakyRpcEndpoint.forwardThenHangUp(chain.rpcUrl())));
            Web3j web3j = web3j(transport(RpcOptions.DEFAULT, endpoint.url()));
            String signed = signedTransfer(chain.account(29), chain.account(28).getAddress());

            EthSendTransaction sent = web3j.ethSendRawTransaction(signed).send();

            assertThat(sent.hasError()).as("answer: %s", sent.getError() == null ? null : sent.getError().getMessage())
                    .isFalse();
            assertThat(sent.getTransactionHash()).isEqualTo(Hash.sha3(signed));
            assertThat(endpoint.calls("eth_sendRawTransaction")).isEqualTo(2);
            assertThat(chain.web3j().ethGetTransactionByHash(Hash.sha3(signed)).send().getTransaction()).isPresent();
        } finally {
            automine(true);
        }
    }

    @Test
    void aRawTransactionMinedBeforeItsResendIsTakenAsSentNotAsNonceTooLow() throws Exception {
        // Automine: the attempt whose answer is lost is mined at once, so the resend meets "nonce too low".
        FlakyRpcEndpoint endpoint = open(FlakyRpcEndpoint.proxyTo(chain.rpcUrl())
                .then(FlakyRpcEndpoint.forwardThenHangUp(chain.rpcUrl())));
        Web3j web3j = web3j(transport(RpcOptions.DEFAULT, endpoint.url()));
        String signed = signedTransfer(chain.account(26), chain.account(28).getAddress());

        EthSendTransaction sent = web3j.ethSendRawTransaction(signed).send();

        assertThat(sent.hasError()).as("answer: %s", sent.getError() == null ? null : sent.getError().getMessage())
                .isFalse();
        assertThat(sent.getTransactionHash()).isEqualTo(Hash.sha3(signed));
        assertThat(endpoint.calls("eth_sendRawTransaction")).isEqualTo(2);
        assertThat(endpoint.calls("eth_getTransactionByHash")).isEqualTo(1);
        assertThat(chain.web3j().ethGetTransactionReceipt(Hash.sha3(signed)).send().getTransactionReceipt())
                .isPresent();
    }

    @Test
    void aResendRefusedForANonceAnotherTransactionUsedStaysRefused() throws Exception {
        String ours = signedTransfer(chain.account(25), chain.account(28).getAddress());
        String theirs = signedTransfer(chain.account(25), chain.account(24).getAddress());
        assertThat(chain.web3j().ethSendRawTransaction(theirs).send().hasError()).isFalse();
        FlakyRpcEndpoint endpoint = open(FlakyRpcEndpoint.proxyTo(chain.rpcUrl()).then(FlakyRpcEndpoint.hangUp()));
        Web3j web3j = web3j(transport(RpcOptions.DEFAULT, endpoint.url()));

        EthSendTransaction sent = web3j.ethSendRawTransaction(ours).send();

        assertThat(sent.hasError()).isTrue();
        assertThat(sent.getError().getMessage()).containsIgnoringCase("nonce");
        assertThat(endpoint.calls("eth_sendRawTransaction")).isEqualTo(2);
        assertThat(endpoint.calls("eth_getTransactionByHash")).isEqualTo(1);
    }

    @Test
    void nonceRefusalsAreRecognisedInEachClientsWords() {
        assertThat(Calls.nonceUsed("nonce too low: next nonce 5, tx nonce 4")).isTrue();
        assertThat(Calls.nonceUsed("Nonce too low")).isTrue();
        assertThat(Calls.nonceUsed("NONCE_TOO_LOW")).isTrue();
        assertThat(Calls.nonceUsed("OldNonce")).isTrue();
        assertThat(Calls.nonceUsed("nonce too high")).isFalse();
        assertThat(Calls.nonceUsed("insufficient funds for gas * price + value")).isFalse();
    }

    @Test
    void aTransactionTheNodeSignsIsNotResentOnceItMayHaveArrived() {
        FlakyRpcEndpoint endpoint = open(FlakyRpcEndpoint.answering(method -> "0x" + "ab".repeat(32))
                .then(FlakyRpcEndpoint.status(502, "bad gateway")));
        Web3j web3j = web3j(transport(RpcOptions.DEFAULT, endpoint.url()));
        Transaction transfer = Transaction.createEtherTransaction(chain.account(0).getAddress(), null, null, null,
                chain.account(1).getAddress(), BigInteger.ONE);

        assertThatThrownBy(() -> web3j.ethSendTransaction(transfer).send())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("eth_sendTransaction").hasMessageContaining("not resent");
        assertThat(endpoint.calls("eth_sendTransaction")).isEqualTo(1);
    }

    @Test
    void aNodeThatAlreadyKnowsTheTransactionIsTakenAsHavingIt() throws IOException {
        FlakyRpcEndpoint endpoint = open(FlakyRpcEndpoint.answering(method -> "0x")
                .then(FlakyRpcEndpoint.error(200, -32000, "already known")));
        Web3j web3j = web3j(transport(RpcOptions.DEFAULT, endpoint.url()));
        String signed = signedTransfer(chain.account(27), chain.account(28).getAddress());

        EthSendTransaction sent = web3j.ethSendRawTransaction(signed).send();

        assertThat(sent.hasError()).isFalse();
        assertThat(sent.getTransactionHash()).isEqualTo(Hash.sha3(signed));
    }

    @Test
    void anEndpointGoneLongerThanTheRetryTimeFailsNamingItsUrlAndTheMethod() {
        String dead = deadUrl();
        FlakyRpcEndpoint failing = open(FlakyRpcEndpoint.answering(method -> "0x1"));
        for (int i = 0; i < 100; i++) {
            failing.then(FlakyRpcEndpoint.status(502, "bad gateway"));
        }
        RpcTransport transport = transport(RpcOptions.DEFAULT.withRetryFor(Duration.ofSeconds(1)), dead, failing.url());

        assertThatThrownBy(() -> web3j(transport).ethBlockNumber().send())
                .isInstanceOf(RpcUnavailableException.class)
                .hasMessageContaining("eth_blockNumber")
                .hasMessageContaining(dead)
                .hasMessageContaining(failing.url());
        assertThat(transport.stats().errors(RpcTransport.GAVE_UP)).isEqualTo(1);
        assertThat(transport.stats().errors(RpcTransport.SERVER)).isPositive();
        assertThat(transport.stats().errors(RpcTransport.IO)).isPositive();
    }

    /**
     * An outage reaches the caller after each URL failed twice, not after the retry time: the matchmaker's loop and
     * the provider's duties retry a failed pass themselves, and must know at once that the chain is gone (readiness,
     * "unreachable" in status) rather than block for half a minute per call.
     */
    @Test
    void anOutageIsReportedAfterEveryUrlFailedTwiceNotAfterTheRetryTime() {
        FlakyRpcEndpoint first = open(FlakyRpcEndpoint.answering(method -> "0x1"));
        FlakyRpcEndpoint second = open(FlakyRpcEndpoint.answering(method -> "0x1"));
        for (int i = 0; i < 10; i++) {
            first.then(FlakyRpcEndpoint.status(503, "down"));
            second.then(FlakyRpcEndpoint.status(502, "bad gateway"));
        }
        RpcTransport transport = transport(RpcOptions.DEFAULT.withRetryFor(Duration.ofMinutes(10)), first.url(), second.url());

        assertThatThrownBy(() -> web3j(transport).ethBlockNumber().send()).isInstanceOf(RpcUnavailableException.class)
                .hasMessageContaining("eth_blockNumber");
        assertThat(first.received()).hasSize(2);
        assertThat(second.received()).hasSize(2);
    }

    @Test
    void connectingToAnEndpointThatIsGoneSaysWhereAndWhat() {
        String dead = deadUrl();
        assertThatThrownBy(() -> ChainConnection.connect(dead, null, Duration.ofSeconds(5),
                RpcOptions.DEFAULT.withRetryFor(Duration.ofMillis(500))))
                .isInstanceOf(ChainException.class)
                .hasMessageContaining("cannot reach the chain at " + dead)
                .hasMessageContaining("eth_chainId");
    }

    @Test
    void anApiKeyInTheUrlIsNeverInAnErrorMessage() {
        String key = "Xk2v9QpL4mT7wR1zY8nB3cD6fG0hJ5aE";
        String dead = deadUrl() + "/v2/" + key;
        assertThatThrownBy(() -> ChainConnection.connect(dead, null, Duration.ofSeconds(5),
                RpcOptions.DEFAULT.withRetryFor(Duration.ofMillis(500))))
                .isInstanceOf(ChainException.class)
                .hasMessageContaining("/v2/***")
                .satisfies(e -> {
                    for (Throwable t = e; t != null; t = t.getCause()) {
                        assertThat(t.getMessage()).as("message of %s", t.getClass().getName()).doesNotContain(key);
                    }
                });
        assertThatThrownBy(() -> RpcTransport.parseUrls("https://node example/v2/" + key))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/v2/***").hasMessageNotContaining(key);
    }

    @Test
    void aListOfUrlsIsReadInOrderAndAnythingElseIsRefused() {
        assertThat(RpcTransport.parseUrls(" https://a.example/v1/key , http://127.0.0.1:8545,"))
                .containsExactly("https://a.example/v1/key", "http://127.0.0.1:8545");
        assertThatThrownBy(() -> RpcTransport.parseUrls(" , ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no RPC URL");
        assertThatThrownBy(() -> RpcTransport.parseUrls("ws://node.example")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ws://node.example");
        assertThatThrownBy(() -> RpcTransport.parseUrls("127.0.0.1:8545")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("127.0.0.1:8545");
        assertThatThrownBy(() -> RpcOptions.DEFAULT.withRequestsPerSecond(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("requests per second");
    }

    @Test
    void retryAfterIsReadAsSecondsOrAsADate() {
        assertThat(RpcTransport.retryAfterNanos("2")).isEqualTo(Duration.ofSeconds(2).toNanos());
        assertThat(RpcTransport.retryAfterNanos("Wed, 21 Oct 2015 07:28:00 GMT")).isZero();
        assertThat(RpcTransport.retryAfterNanos("soon")).isZero();
        assertThat(RpcTransport.retryAfterNanos(null)).isZero();
    }

    /**
     * The most calls the endpoint received in any 950 ms: the budget's second less 50 ms for the loopback's jitter,
     * so that a call granted at the edge of a second is not counted in it because it arrived a moment late.
     */
    private static long mostCallsInAnyWindow(List<FlakyRpcEndpoint.Received> received) {
        long window = Duration.ofMillis(950).toNanos();
        long most = 0;
        for (FlakyRpcEndpoint.Received start : received) {
            long calls = received.stream()
                    .filter(r -> r.atNanos() >= start.atNanos() && r.atNanos() < start.atNanos() + window)
                    .mapToLong(r -> r.methods().size()).sum();
            most = Math.max(most, calls);
        }
        return most;
    }

    private static String signedTransfer(Credentials from, String to) throws IOException {
        BigInteger nonce = chain.web3j().ethGetTransactionCount(from.getAddress(), DefaultBlockParameterName.PENDING)
                .send().getTransactionCount();
        RawTransaction transfer = RawTransaction.createEtherTransaction(nonce, BigInteger.valueOf(10_000_000_000L),
                BigInteger.valueOf(21_000), to, BigInteger.ONE);
        return Numeric.toHexString(TransactionEncoder.signMessage(transfer, LocalChain.CHAIN_ID, from));
    }

    private static void automine(boolean on) throws IOException {
        HttpService node = new HttpService(chain.rpcUrl());
        new Request<>("evm_setAutomine", List.of(on), node, LocalChain.GenericResponse.class).send();
        if (on) {
            chain.mine(1);
        }
    }

    private static String deadUrl() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private RpcTransport transport(RpcOptions options, String... urls) {
        RpcTransport transport = new RpcTransport(List.of(urls), options);
        opened.add(transport::close);
        return transport;
    }

    private Web3j web3j(RpcTransport transport) {
        Web3j web3j = Web3j.build(transport);
        opened.add(web3j::shutdown);
        return web3j;
    }

    private <T extends AutoCloseable> T open(T closeable) {
        opened.add(closeable);
        return closeable;
    }
}
