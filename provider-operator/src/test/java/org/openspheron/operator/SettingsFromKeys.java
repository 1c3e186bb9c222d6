package org.openspheron.operator;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.openspheron.operator.config.ChainSettings;
import org.openspheron.operator.config.PricingSettings;
import org.openspheron.operator.config.ProtocolChain;
import org.openspheron.operator.config.ProtocolSettings;
import org.openspheron.operator.config.ProviderSettings;

/**
 * The provider side's settings as Quarkus maps them from {@code spheron.*} keys, for tests that build a
 * {@link org.openspheron.operator.protocol.ProviderNode} or a {@link ProtocolChain} outside Quarkus.
 */
public final class SettingsFromKeys {
    private SettingsFromKeys() {
    }

    public static SmallRyeConfig of(Map<String, String> keys) {
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(keys, "test", 400))
                .withMapping(ProviderSettings.class).withMapping(ChainSettings.class)
                .withMapping(ProtocolSettings.class).withMapping(PricingSettings.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withValidateUnknown(false)
                .build();
    }

    public static ProtocolChain protocolChain(SmallRyeConfig config) {
        return new ProtocolChain(config.getConfigMapping(ChainSettings.class), config.getConfigMapping(ProtocolSettings.class));
    }
}
