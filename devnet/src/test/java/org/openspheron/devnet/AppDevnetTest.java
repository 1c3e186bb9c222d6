package org.openspheron.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openspheron.devnet.AppDevnet.App;
import org.openspheron.devnet.AppDevnet.Plan;

/**
 * The dev service announces its configuration keys before anything starts (Quarkus needs them up front), so the
 * keys announced and the keys delivered must be the same, and what is delivered must point at what runs.
 */
class AppDevnetTest {
    private static final Path ROOT = AppDevnet.findRoot(Path.of(""));

    @Test
    void aMatchmakersDevnetDeliversExactlyTheAnnouncedKeys() {
        Plan plan = new Plan(App.MATCHMAKER, true, false, 0);
        Path home;
        try (AppDevnet devnet = AppDevnet.start(ROOT, plan)) {
            Map<String, String> config = devnet.config();
            assertThat(config.keySet()).isEqualTo(AppDevnet.configKeys(plan));
            assertThat(config).containsEntry("spheron.chain.rpc-url", devnet.rpcUrl().orElseThrow())
                    .containsEntry("spheron.chain.ws-url", devnet.rpcUrl().orElseThrow().replace("http://", "ws://"))
                    .doesNotContainKeys("quarkus.http.port", "quarkus.kubernetes-client.api-server-url");
            Path addresses = Path.of(config.get("spheron.protocol.addresses-file"));
            assertThat(addresses).isRegularFile();
            home = addresses.getParent();
        }
        assertThat(home).doesNotExist();
    }

    @Test
    void anOperatorsDevnetWithItsOwnChainGetsOnlyTheClusterKeys() {
        Plan plan = new Plan(App.PROVIDER, false, true, 0);
        try (AppDevnet devnet = AppDevnet.start(ROOT, plan)) {
            Map<String, String> config = devnet.config();
            assertThat(config.keySet()).isEqualTo(AppDevnet.configKeys(plan))
                    .allMatch(key -> key.startsWith("quarkus.kubernetes-client.") || key.equals("spheron.operator.public-host"));
            assertThat(config).containsEntry("quarkus.kubernetes-client.api-server-url", devnet.apiServerUrl().orElseThrow());
            assertThat(devnet.rpcUrl()).isEmpty();
        }
    }

    @Test
    void theRootIsFoundFromAModuleDirectory(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("crds"));
        Files.writeString(dir.resolve("pom.xml"), "<project/>");
        Path module = Files.createDirectories(dir.resolve("matchmaker/src"));
        String explicit = System.clearProperty("spheron.root");
        try {
            assertThat(AppDevnet.findRoot(module)).isEqualTo(dir.toAbsolutePath());
        } finally {
            if (explicit != null) {
                System.setProperty("spheron.root", explicit);
            }
        }
    }

    @Test
    void aPlanWithNothingToStartIsRefused() {
        assertThatThrownBy(() -> new Plan(App.PROVIDER, false, false, 0)).hasMessageContaining("nothing to start");
        assertThatThrownBy(() -> new Plan(App.MATCHMAKER, true, true, 0)).hasMessageContaining("only the provider operator");
    }
}
