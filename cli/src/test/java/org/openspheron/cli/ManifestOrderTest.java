package org.openspheron.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.OrderSpec;
import org.openspheron.manifest.Manifest;
import org.openspheron.manifest.ManifestParser;

/** The order a manifest turns into, and the token amounts users type. */
class ManifestOrderTest {

    @Test
    void anIclManifestCarriesItsResourcesPriceDurationAndHashIntoTheOrder() {
        Manifest m = ManifestParser.parse(ManifestParserFixture.WEB);
        OrderSpec spec = ManifestOrder.spec(m, null, null, null, null);
        assertThat(spec.cpuMilli()).isEqualTo(2000);
        assertThat(spec.memoryMb()).isEqualTo(2048);
        assertThat(spec.storageMb()).isEqualTo(2048);
        assertThat(spec.gpuCount()).isZero();
        assertThat(spec.maxPricePerHour()).isEqualTo(BigInteger.valueOf(2_000_000));
        assertThat(spec.durationSeconds()).isEqualTo(3600);
        assertThat(spec.manifestHash()).isEqualTo(m.canonicalHash());
        assertThat(spec.region()).isEmpty();
        assertThat(spec.regionRequired()).isFalse();
        assertThat(ManifestOrder.fullDeposit(spec)).isEqualTo(BigInteger.valueOf(2_000_000));
    }

    @Test
    void commandLineOptionsWinOverTheManifest() {
        Manifest m = ManifestParser.parse(ManifestParserFixture.WEB);
        OrderSpec spec = ManifestOrder.spec(m, null, "eu-west", TokenAmount.parse("0.3"), Duration.ofMinutes(90));
        assertThat(spec.region()).isEqualTo("eu-west");
        assertThat(spec.regionRequired()).isTrue();
        assertThat(spec.maxPricePerHour()).isEqualTo(BigInteger.valueOf(300_000));
        assertThat(ManifestOrder.fullDeposit(spec)).isEqualTo(BigInteger.valueOf(450_000));
    }

    @Test
    void aManifestThatAcceptsAnyGpuNeedsAModelForTheOrder() {
        String anyGpu = ManifestParserFixture.WEB.replace("      storage:\n          size: 1Gi\n",
                "      storage:\n          size: 1Gi\n        gpu:\n          units: 1\n          attributes:\n            vendor:\n              nvidia:\n");
        Manifest m = ManifestParser.parse(anyGpu);
        assertThatThrownBy(() -> ManifestOrder.spec(m, null, null, null, null))
                .hasMessage("the manifest accepts any NVIDIA GPU, but an order names one model: pass --gpu-model (e.g. --gpu-model H100)");
        assertThat(ManifestOrder.spec(m, "H100", null, null, null).gpuModel()).isEqualTo("H100");
        assertThat(ManifestOrder.spec(m, "H100", null, null, null).gpuCount()).isEqualTo(2);
    }

    @Test
    void tokenAmountsHaveSixDecimals() {
        assertThat(TokenAmount.parse("12.5")).isEqualTo(BigInteger.valueOf(12_500_000));
        assertThat(TokenAmount.parse("0.000001")).isEqualTo(BigInteger.ONE);
        assertThat(TokenAmount.format(BigInteger.valueOf(14_500_000), "sUSD")).isEqualTo("14.5 sUSD");
        assertThat(TokenAmount.format(BigInteger.ZERO, "sUSD")).isEqualTo("0 sUSD");
        assertThatThrownBy(() -> TokenAmount.parse("0")).hasMessage("0 is not a positive amount");
        assertThatThrownBy(() -> TokenAmount.parse("ten")).hasMessage("\"ten\" is not an amount of tokens (write e.g. 12.5)");
    }
}
