package org.openspheron.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class ValidateCommandTest {

    @Test
    void validManifestsPrintAOneLineSummaryAndExitZero() {
        Cli.Result r = Cli.run("validate", Cli.manifest("jupyter-rtx4090.yaml").toString(), Cli.manifest("whoogle-sdl.yaml").toString());
        assertThat(r.exitCode()).isZero();
        assertThat(r.out().lines().toList()).containsExactly(
                "ok    " + Cli.manifest("jupyter-rtx4090.yaml") + ": 1 service, 1x rtx4090 (NVIDIA), 8 CPU, 16 GiB memory, 200 GiB storage, 2h",
                "ok    " + Cli.manifest("whoogle-sdl.yaml") + ": 1 service, 1 CPU, 1 GiB memory, 1 GiB storage");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void anyInvalidManifestPrintsItsErrorAndExitsOne() {
        Cli.Result r = Cli.run("validate", Cli.manifest("whoogle-sdl.yaml").toString(),
                Cli.manifest("bad-port.yaml").toString(), Cli.manifest("handshake-ip-endpoint.yaml").toString(), "missing.yaml");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out().lines().toList()).containsExactly(
                "ok    " + Cli.manifest("whoogle-sdl.yaml") + ": 1 service, 1 CPU, 1 GiB memory, 1 GiB storage",
                "error " + Cli.manifest("bad-port.yaml") + ": services.web.expose[0].port: 70000 is not a port",
                "ok    " + Cli.manifest("handshake-ip-endpoint.yaml") + ": 1 service, 2 CPU, 1.9 GiB memory, 101 GiB storage, "
                        + "1 leased IP",
                "error missing.yaml: no such file");
    }

    @Test
    void aManifestWithIpEndpointsSaysHowManyLeasedIpsItsGroupNeeds() throws Exception {
        Cli.Result r = Cli.run("validate", "--json", Cli.manifest("handshake-ip-endpoint.yaml").toString());
        assertThat(r.exitCode()).isZero();
        JsonNode group = Output.JSON.readTree(r.out()).get(0).get("groups").get(0);
        assertThat(group.get("leasedIps").asInt()).isEqualTo(1);
        assertThat(group.get("resources").get(0).get("endpoints").toString())
                .isEqualTo("[{\"kind\":\"RANDOM_PORT\"},{\"kind\":\"LEASED_IP\",\"endpoint\":\"hnsep1\"}]");
    }

    @Test
    void jsonOutputIsOneDocumentWithTheFieldOfEachError() throws Exception {
        Cli.Result r = Cli.run("validate", "--json", Cli.manifest("jupyter-rtx4090.yaml").toString(), Cli.manifest("bad-port.yaml").toString());
        assertThat(r.exitCode()).isEqualTo(1);
        JsonNode json = Output.JSON.readTree(r.out());
        assertThat(json).hasSize(2);
        assertThat(json.get(0).get("valid").asBoolean()).isTrue();
        assertThat(json.get(0).get("gpuModels").get(0).asText()).isEqualTo("rtx4090");
        assertThat(json.get(0).get("manifestHash").asText()).matches("0x[0-9a-f]{64}");
        assertThat(json.get(1).get("valid").asBoolean()).isFalse();
        assertThat(json.get(1).get("field").asText()).isEqualTo("services.web.expose[0].port");
    }

    @Test
    void aValidManifestOfSeveralPlacementsSaysNowThatDeployRefusesIt() throws Exception {
        Cli.Result r = Cli.run("validate", Cli.manifest("two-placements-sdl.yaml").toString());
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("note  " + Cli.manifest("two-placements-sdl.yaml")
                + ": deploy refuses it: profiles.placement: the manifest deploys to 2 placements (east, west)");

        JsonNode json = Output.JSON.readTree(Cli.run("validate", "--json", Cli.manifest("two-placements-sdl.yaml").toString()).out()).get(0);
        assertThat(json.get("valid").asBoolean()).isTrue();
        assertThat(json.get("deployable").asBoolean()).isFalse();
        assertThat(json.get("groups")).hasSize(2);
        assertThat(Output.JSON.readTree(Cli.run("validate", "--json", Cli.manifest("whoogle-sdl.yaml").toString()).out())
                .get(0).get("deployable").asBoolean()).isTrue();
    }

    @Test
    void withoutAnAktPriceAUaktManifestHasNoPricePerHourButItsGroupsAreThere() throws Exception {
        Cli.Result r = Cli.run("validate", "--json", Cli.manifest("whoogle-sdl-uakt.yaml").toString());
        assertThat(r.exitCode()).isZero();
        JsonNode result = Output.JSON.readTree(r.out()).get(0);
        assertThat(result.get("maxPricePerHour").isNull()).isTrue();
        JsonNode resource = result.get("groups").get(0).get("resources").get(0);
        assertThat(resource.get("cpuMilli").asLong()).isEqualTo(1000);
        assertThat(resource.get("price").get("denom").asText()).isEqualTo("uakt");
        assertThat(resource.get("price").get("perHour").isNull()).isTrue();
    }

    @Test
    void anIclManifestsPricesArePerHourAlready() throws Exception {
        Cli.Result r = Cli.run("validate", "--json", Cli.manifest("jupyter-rtx4090.yaml").toString());
        JsonNode result = Output.JSON.readTree(r.out()).get(0);
        JsonNode price = result.get("groups").get(0).get("resources").get(0).get("price");
        assertThat(price.get("per").asText()).isEqualTo("hour");
        assertThat(price.get("perHour").asText()).isEqualTo(price.get("amount").asText());
        assertThat(result.get("maxPricePerHour").asText()).isEqualTo("1");
    }

    @Test
    void aBadAktPriceIsRefused() {
        Cli.Result r = Cli.run("validate", "--akt-price", "cheap", Cli.manifest("whoogle-sdl.yaml").toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: --akt-price \"cheap\" is not an amount of tokens (write e.g. 0.95)\n");
    }

    @Test
    void noFileIsAUsageError() {
        Cli.Result r = Cli.run("validate");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required parameter");
    }
}
