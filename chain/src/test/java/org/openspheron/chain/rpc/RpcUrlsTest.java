package org.openspheron.chain.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RpcUrlsTest {
    private static final String KEY = "Xk2v9QpL4mT7wR1zY8nB3cD6fG0hJ5aE";

    @Test
    void providersKeysInThePathAreMaskedAndTheEndpointStaysRecognisable() {
        assertThat(RpcUrls.shown("https://base-mainnet.g.alchemy.com/v2/" + KEY))
                .isEqualTo("https://base-mainnet.g.alchemy.com/v2/***");
        assertThat(RpcUrls.shown("https://mainnet.infura.io/v3/9aa3d95b3bc440fa88ea12eaa4456161"))
                .isEqualTo("https://mainnet.infura.io/v3/***");
        assertThat(RpcUrls.shown("https://falling-red-pond.base-sepolia.quiknode.pro/3f6c1b2a9d8e7f60a1b2c3d4e5f60718293a4b5c/"))
                .isEqualTo("https://falling-red-pond.base-sepolia.quiknode.pro/***/");
        assertThat(RpcUrls.shown("https://rpc.ankr.com/base_sepolia/" + KEY)).isEqualTo("https://rpc.ankr.com/base_sepolia/***");
    }

    @Test
    void queryAndUserInfoAreMaskedWhole() {
        assertThat(RpcUrls.shown("https://node.example/rpc?apikey=" + KEY + "&x=1")).isEqualTo("https://node.example/rpc?***");
        assertThat(RpcUrls.shown("https://user:" + KEY + "@node.example:8545")).isEqualTo("https://***@node.example:8545");
        assertThat(RpcUrls.shown("wss://node.example/ws#" + KEY)).isEqualTo("wss://node.example/ws#***");
        assertThat(RpcUrls.shown("https://user:pa/ss0rd@node.example/rpc")).isEqualTo("https://***@node.example/rpc");
        assertThat(RpcUrls.shown("node.example/rpc?next=https://x.example")).isEqualTo("node.example/rpc?***");
    }

    @Test
    void urlsWithoutSecretsAndBrokenOnesStayReadable() {
        assertThat(RpcUrls.shown("http://127.0.0.1:8545")).isEqualTo("http://127.0.0.1:8545");
        assertThat(RpcUrls.shown("https://sepolia.base.org/")).isEqualTo("https://sepolia.base.org/");
        assertThat(RpcUrls.shown(" 127.0.0.1:8545 ")).isEqualTo("127.0.0.1:8545");
        assertThat(RpcUrls.shown("https://node example/v2/" + KEY)).isEqualTo("https://node example/v2/***");
        assertThat(RpcUrls.shownList("https://a.example/v2/" + KEY + ", http://127.0.0.1:8545"))
                .isEqualTo("https://a.example/v2/***, http://127.0.0.1:8545");
    }
}
