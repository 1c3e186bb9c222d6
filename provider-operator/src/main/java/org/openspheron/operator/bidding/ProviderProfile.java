package org.openspheron.operator.bidding;

import java.util.Arrays;
import java.util.Locale;
import org.openspheron.chain.OrderSpec;

/**
 * Where the provider is, as far as orders care.
 *
 * @param address the provider's account
 */
public record ProviderProfile(String address, String region, String zone) {
    public ProviderProfile {
        region = region == null ? "" : region.trim();
        zone = zone == null ? "" : zone.trim();
    }

    /**
     * Whether an order's placement allows this provider. Only a required region binds; it may list several
     * regions separated by {@code ;} or {@code ,} (as Spheron's placement attributes do), and a zone, when the
     * order names one with a required region, must be ours too.
     */
    public boolean serves(OrderSpec spec) {
        if (!spec.regionRequired()) {
            return true;
        }
        boolean regionOk = Arrays.stream(spec.region().split("[;,]"))
                .map(r -> r.trim().toLowerCase(Locale.ROOT))
                .anyMatch(r -> r.equals(region.toLowerCase(Locale.ROOT)));
        return regionOk && (spec.zone().isBlank() || spec.zone().trim().equalsIgnoreCase(zone));
    }

    public boolean is(String account) {
        return account != null && account.equalsIgnoreCase(address);
    }
}
