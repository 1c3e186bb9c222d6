package org.openspheron.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import org.junit.jupiter.api.Test;

/** The same commands through Quarkus' command mode, as {@code quarkus-run.jar} runs them. */
@QuarkusMainTest
class PackagedCommandTest {

    @Test
    void validateRunsInCommandModeWithItsExitCodes(QuarkusMainLauncher launcher) {
        LaunchResult ok = launcher.launch("validate", Cli.manifest("jupyter-rtx4090.yaml").toString());
        assertThat(ok.exitCode()).isZero();
        assertThat(ok.getOutput()).contains("ok    ").contains("1x rtx4090 (NVIDIA)");

        LaunchResult bad = launcher.launch("validate", Cli.manifest("bad-port.yaml").toString());
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.getOutput()).contains("services.web.expose[0].port: 70000 is not a port");
    }

    @Test
    void aChainCommandWithoutAChainSaysSoInOneLine(QuarkusMainLauncher launcher) {
        LaunchResult r = launcher.launch("account", "--home", "target/no-such-home", "--addresses-file", "target/none.properties");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.getErrorOutput()).contains("error: no protocol addresses file at target/none.properties");
        assertThat(r.getErrorOutput()).doesNotContain("Exception");
    }
}
