package org.openspheron.operator.protocol;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.jboss.logging.Logger;
import org.openspheron.chain.GpuOffer;
import org.openspheron.chain.Provider;
import org.openspheron.chain.ProtocolReader;
import org.openspheron.chain.ProviderClient;

/**
 * Keeps the provider's registry entry true to its cluster: registers it (staking) when the account is new, and
 * afterwards updates region, zone, gateway URL and GPUs when they change, at most once per minimum interval so a
 * busy cluster does not pay gas on every bid.
 */
public final class Registration {
    private static final Logger LOG = Logger.getLogger(Registration.class);

    /** Where the provider is and what it stakes. */
    public record Profile(String region, String zone, String gatewayUrl, BigInteger stake) {
        public Profile {
            zone = zone == null ? "" : zone;
        }
    }

    private final ProtocolReader reader;
    private final ProviderClient provider;
    private final Supplier<List<GpuOffer>> gpus;
    private final Profile profile;
    private final boolean autoRegister;
    private final Duration minInterval;
    private final Clock clock;
    private Instant lastWrite;
    private boolean notRegisteredLogged;

    public Registration(ProtocolReader reader, ProviderClient provider, Supplier<List<GpuOffer>> gpus, Profile profile,
                        boolean autoRegister, Duration minInterval, Clock clock) {
        this.reader = reader;
        this.provider = provider;
        this.gpus = gpus;
        this.profile = profile;
        this.autoRegister = autoRegister;
        this.minInterval = minInterval;
        this.clock = clock;
    }

    /** The periodic check: registers when allowed, updates when changed and not updated too recently. */
    public synchronized RegistrationResult keepCurrent() {
        return reconcile(false);
    }

    /** The operator's explicit request ({@code POST /admin/register}): registers, or updates now if anything changed. */
    public synchronized RegistrationResult registerNow() {
        return reconcile(true);
    }

    private RegistrationResult reconcile(boolean explicit) {
        List<GpuOffer> desired = sorted(gpus.get());
        Optional<Provider> record = reader.provider(provider.address());
        if (record.isEmpty()) {
            if (!autoRegister && !explicit) {
                if (!notRegisteredLogged) {
                    LOG.warnf("%s is not registered and spheron.provider.auto-register is false: it cannot bid until "
                            + "it registers (POST /admin/register)", provider.address());
                    notRegisteredLogged = true;
                }
                return result("not-registered", desired);
            }
            provider.register(profile.region(), profile.zone(), profile.gatewayUrl(), desired, profile.stake());
            lastWrite = clock.instant();
            LOG.infof("registered %s in %s/%s at %s with %s, staking %s", provider.address(), profile.region(),
                    profile.zone(), profile.gatewayUrl(), desired, profile.stake());
            return result("registered", desired);
        }
        if (matches(record.get(), desired)) {
            return result("unchanged", desired);
        }
        if (!explicit && lastWrite != null && lastWrite.plus(minInterval).isAfter(clock.instant())) {
            return result("deferred", desired);
        }
        provider.updateAttributes(profile.region(), profile.zone(), profile.gatewayUrl(), desired);
        lastWrite = clock.instant();
        LOG.infof("updated the registry entry of %s: %s/%s at %s with %s", provider.address(), profile.region(),
                profile.zone(), profile.gatewayUrl(), desired);
        return result("updated", desired);
    }

    private boolean matches(Provider onChain, List<GpuOffer> desired) {
        return onChain.region().equals(profile.region()) && onChain.zone().equals(profile.zone())
                && onChain.gatewayUrl().equals(profile.gatewayUrl()) && sorted(onChain.gpus()).equals(desired);
    }

    private RegistrationResult result(String action, List<GpuOffer> offered) {
        return new RegistrationResult(provider.address(), action, profile.region(), profile.zone(),
                profile.gatewayUrl(), offered);
    }

    private static List<GpuOffer> sorted(List<GpuOffer> offers) {
        return offers.stream().sorted(Comparator.comparing(GpuOffer::model)).toList();
    }
}
