package org.openspheron.operator.protocol;

import java.util.List;
import org.openspheron.chain.GpuOffer;

/**
 * What a registration attempt did.
 *
 * @param action {@code registered}, {@code updated}, {@code unchanged}, {@code deferred} (changed, but updated
 *               too recently) or {@code not-registered} (auto-registration is off)
 */
public record RegistrationResult(String address, String action, String region, String zone, String gatewayUrl,
                                 List<GpuOffer> gpus) {
}
