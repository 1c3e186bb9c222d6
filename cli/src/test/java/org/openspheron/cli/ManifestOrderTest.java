package org.openspheron.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openspheron.chain.OrderFeatures;
import org.openspheron.chain.OrderSpec;
import org.openspheron.manifest.DenominationRates;
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

    /** A provider that cannot serve a volume's class must not win the lease only for its gateway to refuse it. */
    @Test
    void theStorageClassesOfMountedPersistentVolumesGoIntoTheOrderSoOnlyProvidersServingThemBid() {
        String persistent = """
                version: "1.0"
                services:
                  db:
                    image: postgres:16
                    expose: [{port: 5432, as: 5432, to: [{global: true}]}]
                    params:
                      storage:
                        data: {mount: /var/lib/postgresql/data}
                        shm: {mount: /dev/shm}
                profiles:
                  duration: 1h
                  compute:
                    db:
                      resources:
                        cpu: {units: 2}
                        memory: {size: 4Gi}
                        storage:
                          - {size: 1Gi}
                          - {name: data, size: 20Gi, attributes: {persistent: true, class: CLASS}}
                          - {name: shm, size: 1Gi, attributes: {class: ram}}
                  placement:
                    any: {pricing: {db: {token: uSPON, amount: 1}}}
                deployment:
                  db: {any: {profile: db, count: 1}}
                """;
        OrderSpec beta3 = ManifestOrder.spec(ManifestParser.parse(persistent.replace("CLASS", "beta3")), null, null,
                null, null);
        assertThat(beta3.features()).isEqualTo(OrderFeatures.STORAGE_BETA3);
        assertThat(OrderFeatures.describe(beta3.features())).isEqualTo("storage beta3");
        OrderSpec other = ManifestOrder.spec(ManifestParser.parse(persistent.replace("CLASS", "fast-nvme")), null,
                null, null, null);
        assertThat(other.features()).isEqualTo(OrderFeatures.STORAGE_OTHER_CLASS);
        assertThat(ManifestOrder.spec(ManifestParser.parse(ManifestParserFixture.WEB), null, null, null, null)
                .features()).isEqualTo(OrderFeatures.NONE);
    }

    @Test
    void theTeeTypeOfAConfidentialServiceGoesIntoTheOrder() {
        String confidential = """
                version: "2.1"
                services:
                  infer:
                    image: vllm/vllm-openai:v0.6
                    expose: [{port: 8000, to: [{global: true}]}]
                    params: {tee: {type: tdx-gpu}}
                profiles:
                  compute:
                    infer:
                      resources:
                        cpu: {units: 4}
                        memory: {size: 16Gi}
                        storage: [{size: 10Gi}]
                        gpu: {units: 1, attributes: {vendor: {nvidia: [{model: h100}]}}}
                  placement:
                    dc: {pricing: {infer: {denom: uact, amount: 100}}}
                deployment:
                  infer: {dc: {profile: infer, count: 1}}
                """;
        OrderSpec spec = ManifestOrder.spec(ManifestParser.parse(confidential), null, null, BigInteger.ONE,
                Duration.ofHours(1));

        assertThat(spec.features()).isEqualTo(OrderFeatures.TEE_TDX_GPU);
        assertThat(DeployCommand.describe(spec)).as("deploy's progress line says why few providers may bid")
                .isEqualTo("1x h100, 4.0 CPU, 16384 MiB memory, 10240 MiB storage, needs TEE tdx-gpu");
    }

    /** A provider without addresses to lease must not win an order whose endpoints it cannot serve. */
    @Test
    void eachIpEndpointIsALeasedIpTheOrderNeeds() {
        String twoIps = """
                version: "2.0"
                endpoints:
                  web-ip: {kind: ip}
                  dns-ip: {kind: ip}
                services:
                  web:
                    image: nginx:1.27
                    expose:
                      - {port: 80, to: [{global: true, ip: web-ip}]}
                      - {port: 53, proto: udp, to: [{global: true, ip: dns-ip}]}
                profiles:
                  compute:
                    web:
                      resources: {cpu: {units: 1}, memory: {size: 1Gi}, storage: [{size: 1Gi}]}
                  placement:
                    dc: {pricing: {web: {denom: uact, amount: 100}}}
                deployment:
                  web: {dc: {profile: web, count: 1}}
                """;
        OrderSpec spec = ManifestOrder.spec(ManifestParser.parse(twoIps), null, null, BigInteger.ONE, Duration.ofHours(1));

        assertThat(OrderFeatures.leasedIps(spec.features())).isEqualTo(2);
        assertThat(spec.features()).isEqualTo(OrderFeatures.ofLeasedIps(2));
        assertThat(DeployCommand.describe(spec)).endsWith("needs 2 leased IPs");
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

    /** Akash leases each placement on its own; ordering them as one lease at one provider would be silently wrong. */
    @Test
    void aManifestOfSeveralPlacementsIsRefusedRatherThanOrderedAsOneLease() {
        Manifest two = ValidateCommand.read(Cli.manifest("two-placements-sdl.yaml"));
        assertThatThrownBy(() -> ManifestOrder.spec(two, null, null, TokenAmount.parse("1"), Duration.ofHours(1)))
                .isInstanceOf(CliException.class)
                .hasMessageStartingWith("profiles.placement: the manifest deploys to 2 placements (east, west)");
    }

    /** {@link ManifestParserFixture#WEB} as Akash SDL 2.0: two replicas at {@code amount denom} per block. */
    private static Manifest sdl(String denom, String amount) {
        return ManifestParser.parse(ManifestParserFixture.WEB.replace("version: \"1.0\"", "version: \"2.0\"")
                .replace("  duration: 1h\n", "")
                .replace("token: uSPON", "denom: " + denom).replace("amount: 1\n", "amount: " + amount + "\n"));
    }

    @Test
    void anSdlPricedInActBecomesAMaxPricePerHourWithoutFlagsAndShowsHow() {
        List<String> progress = new ArrayList<>();
        BigInteger price = ManifestOrder.maxPricePerHour(sdl("uact", "1000"), null, DenominationRates.withoutAktPrice(),
                "sUSD", progress::add);
        // 1000 × 2 × 3600 / 6.098 = 1180714.98 base units
        assertThat(price).isEqualTo(BigInteger.valueOf(1_180_714));
        assertThat(progress).containsExactly("pricing      SDL web in any: 1000 uact/block × 2 replicas × 590.3575 blocks/h"
                + " (6.098 s/block) at 1 sUSD/ACT = 1.180714 sUSD/h");
    }

    @Test
    void anSdlPricedInAktNeedsAnAktPriceAndNamesTheFlag() {
        Manifest m = sdl("uakt", "1000");
        assertThatThrownBy(() -> ManifestOrder.maxPricePerHour(m, null, DenominationRates.withoutAktPrice(), "sUSD", line -> { }))
                .hasMessage("the manifest prices in uakt (AKT per block) and no AKT price is set: pass --akt-price "
                        + "TOKENS_PER_AKT (or set SPHERON_AKT_PRICE), or --max-price TOKENS_PER_HOUR");
        List<String> progress = new ArrayList<>();
        BigInteger price = ManifestOrder.maxPricePerHour(m, null, DenominationRates.withAktPrice(new BigDecimal("0.95")),
                "sUSD", progress::add);
        // 1000 × 2 × 0.95 × 3600 / 6.098 = 1121679.24
        assertThat(price).isEqualTo(BigInteger.valueOf(1_121_679));
        assertThat(progress).singleElement().asString().endsWith("at 0.95 sUSD/AKT = 1.121679 sUSD/h");
    }

    @Test
    void maxPriceOverridesTheSdlsPricesAndSaysSo() {
        List<String> progress = new ArrayList<>();
        BigInteger price = ManifestOrder.maxPricePerHour(sdl("uakt", "1000"), TokenAmount.parse("2.5"),
                DenominationRates.withoutAktPrice(), "sUSD", progress::add);
        assertThat(price).isEqualTo(BigInteger.valueOf(2_500_000));
        assertThat(progress).containsExactly("pricing      --max-price 2.5 sUSD/h; the SDL's prices per block are not used");
    }

    @Test
    void aDenominationWithoutARateNeedsMaxPrice() {
        Manifest m = sdl("ibc/" + "ab".repeat(32), "10");
        assertThatThrownBy(() -> ManifestOrder.maxPricePerHour(m, null, DenominationRates.withoutAktPrice(), "sUSD", line -> { }))
                .hasMessageStartingWith("no rate is known for ibc/abab").hasMessageEndingWith("pass --max-price TOKENS_PER_HOUR");
    }

    @Test
    void anSdlPriceBelowOneBaseUnitAnHourIsRefused() {
        assertThatThrownBy(() -> ManifestOrder.maxPricePerHour(sdl("uact", "0.0001"), null,
                DenominationRates.withoutAktPrice(), "sUSD", line -> { }))
                .hasMessage("the manifest's SDL prices come to less than 0.000001 sUSD per hour: pass --max-price TOKENS_PER_HOUR");
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
