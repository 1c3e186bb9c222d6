package org.openspheron.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.rpc.FlakyRpcEndpoint;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.http.HttpService;

/**
 * A sender never has two transactions of its account unmined at once: a send whose receipt timed out (a congested
 * network) may still be mined, and sending the retry under the next nonce paid for the same call twice.
 */
class TransactionSenderTest {
    private static ProtocolFixture fixture;
    private static ChainConnection impatient;

    @BeforeAll
    static void start() {
        fixture = ProtocolFixture.start();
        // Receipts are awaited a second only: long enough on automine, too short while mining is off.
        impatient = ChainConnection.connect(fixture.chain().rpcUrl(), fixture.addresses(), Duration.ofSeconds(1));
    }

    @AfterAll
    static void stop() {
        impatient.close();
        fixture.close();
    }

    @AfterEach
    void mineAgain() {
        rpc("evm_setAutomine", true);
    }

    @Test
    void aRetryAfterAReceiptTimeoutIsNotSentWhileTheFirstIsPendingSoTheCallIsNeverPaidTwice() {
        Credentials key = fixture.tenantKey(0);
        TransactionSender sender = impatient.sender(key);
        long before = nonce(key, DefaultBlockParameterName.LATEST);
        rpc("evm_setAutomine", false);

        assertThatThrownBy(() -> sender.send("approve(1)", approve(sender, 1)))
                .isInstanceOf(ChainException.class).hasMessageContaining("receipt");
        // The caller retries, as the matchmaker does after its receipt timeout: nothing more goes to the pool.
        assertThatThrownBy(() -> sender.send("approve(2)", approve(sender, 2)))
                .isInstanceOf(PendingTransactionException.class)
                .hasMessageContaining("approve(1)").hasMessageContaining("still pending");
        assertThat(nonce(key, DefaultBlockParameterName.PENDING)).isEqualTo(before + 1);

        // Mined at last: the next send goes, under the next nonce.
        rpc("evm_mine");
        rpc("evm_setAutomine", true);
        sender.send("approve(3)", approve(sender, 3));
        assertThat(nonce(key, DefaultBlockParameterName.LATEST)).isEqualTo(before + 2);
        assertThat(allowance(key)).isEqualTo(BigInteger.valueOf(3));
    }

    @Test
    void aRestartedProcessSendsNothingWhileTheStoppedOnesTransactionIsInThePool() {
        Credentials key = fixture.tenantKey(1);
        long before = nonce(key, DefaultBlockParameterName.LATEST);
        rpc("evm_setAutomine", false);
        TransactionSender stopped = impatient.sender(key);
        assertThatThrownBy(() -> stopped.send("approve(1)", approve(stopped, 1))).isInstanceOf(ChainException.class);

        // A new process with the same key knows nothing of it; the node's pool does.
        TransactionSender restarted = impatient.sender(key);
        assertThatThrownBy(() -> restarted.send("approve(2)", approve(restarted, 2)))
                .isInstanceOf(PendingTransactionException.class).hasMessageContaining("in the node's pool unmined");
        assertThat(nonce(key, DefaultBlockParameterName.PENDING)).isEqualTo(before + 1);

        rpc("evm_mine");
        rpc("evm_setAutomine", true);
        restarted.send("approve(2)", approve(restarted, 2));
        assertThat(nonce(key, DefaultBlockParameterName.LATEST)).isEqualTo(before + 2);
    }

    @Test
    void aTransactionTheNodeDroppedIsForgottenAndItsNonceUsedAgain() {
        Credentials key = fixture.tenantKey(2);
        TransactionSender sender = impatient.sender(key);
        long before = nonce(key, DefaultBlockParameterName.LATEST);
        rpc("evm_setAutomine", false);
        String hash = hashOfTimedOut(() -> sender.send("approve(1)", approve(sender, 1)));
        rpc("anvil_dropTransaction", hash);
        rpc("evm_setAutomine", true);

        sender.send("approve(2)", approve(sender, 2));
        assertThat(nonce(key, DefaultBlockParameterName.LATEST)).isEqualTo(before + 1);
        assertThat(allowance(key)).isEqualTo(BigInteger.valueOf(2));
    }

    /** An error answer to the lookup is not "dropped": resending then would pay twice, as before the guard. */
    @Test
    void aLookupTheNodeAnswersWithAnErrorLeavesThePendingTransactionPending() {
        Credentials key = fixture.tenantKey(3);
        long before = nonce(key, DefaultBlockParameterName.LATEST);
        try (FlakyRpcEndpoint node = FlakyRpcEndpoint.proxyTo(fixture.chain().rpcUrl());
                ChainConnection through = ChainConnection.connect(node.url(), fixture.addresses(), Duration.ofSeconds(1))) {
            TransactionSender sender = through.sender(key);
            sender.send("approve(0)", approve(sender, 0));
            rpc("evm_setAutomine", false);
            assertThatThrownBy(() -> sender.send("approve(1)", approve(sender, 1))).isInstanceOf(ChainException.class);

            node.then(FlakyRpcEndpoint.error(200, -32603, "internal error"));
            assertThatThrownBy(() -> sender.send("approve(2)", approve(sender, 2)))
                    .isInstanceOf(ChainException.class).hasMessageContaining("cannot tell whether");
            assertThatThrownBy(() -> sender.send("approve(3)", approve(sender, 3)))
                    .isInstanceOf(PendingTransactionException.class);
            assertThat(nonce(key, DefaultBlockParameterName.PENDING)).isEqualTo(before + 2);
        }
    }

    /**
     * A receipt is asked for at once, then after pauses doubling from 100 ms to a second: a fixed 100 ms poll asked
     * thirty times in three seconds, twenty per transaction on a chain of 2-second blocks, against the endpoint's
     * rate limit.
     */
    @Test
    void aTransactionWaitingForItsBlockIsAskedAboutAFewTimesNotTenASecond() {
        Credentials key = fixture.tenantKey(4);
        try (FlakyRpcEndpoint node = FlakyRpcEndpoint.proxyTo(fixture.chain().rpcUrl());
                ChainConnection through = ChainConnection.connect(node.url(), fixture.addresses(), Duration.ofSeconds(3))) {
            TransactionSender sender = through.sender(key);
            sender.send("approve(0)", approve(sender, 0));
            assertThat(node.calls("eth_getTransactionReceipt")).as("mined at once: one ask").isEqualTo(1);
            rpc("evm_setAutomine", false);

            assertThatThrownBy(() -> sender.send("approve(1)", approve(sender, 1))).isInstanceOf(ChainException.class)
                    .hasMessageContaining("not generated after 3 seconds");
            // At 0, 0.1, 0.3, 0.7, 1.5, 2.5 and 3 s.
            assertThat(node.calls("eth_getTransactionReceipt") - 1).isBetween(5L, 8L);
        }
        rpc("evm_mine");
    }

    private static org.web3j.protocol.core.RemoteFunctionCall<org.web3j.protocol.core.methods.response.TransactionReceipt>
            approve(TransactionSender sender, long amount) {
        return fixture.tokenContract(sender).approve(fixture.addresses().orders(), BigInteger.valueOf(amount));
    }

    private static BigInteger allowance(Credentials key) {
        return fixture.tokenContract(fixture.sender(fixture.owner()))
                .allowance(key.getAddress(), fixture.addresses().orders()).sendAsync().join();
    }

    private static String hashOfTimedOut(Runnable send) {
        try {
            send.run();
        } catch (ChainException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof org.web3j.protocol.exceptions.TransactionException te && te.getTransactionHash().isPresent()) {
                    return te.getTransactionHash().get();
                }
            }
            throw e;
        }
        throw new AssertionError("the send had its receipt");
    }

    private static long nonce(Credentials key, DefaultBlockParameterName block) {
        try {
            return fixture.connection().web3j().ethGetTransactionCount(key.getAddress(), block).send()
                    .getTransactionCount().longValueExact();
        } catch (IOException e) {
            throw new ChainException("nonce", e);
        }
    }

    private static void rpc(String method, Object... params) {
        try {
            Response<?> response = new Request<>(method, List.of(params), new HttpService(fixture.chain().rpcUrl()),
                    LocalChain.GenericResponse.class).send();
            if (response.hasError()) {
                throw new ChainException(method + ": " + response.getError().getMessage());
            }
        } catch (IOException e) {
            throw new ChainException(method, e);
        }
    }
}
