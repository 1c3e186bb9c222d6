package org.openspheron.manifest;

import java.math.BigDecimal;

/**
 * A maximum price per replica. ICL writes {@code token} and means tokens per hour; SDL writes {@code denom} (e.g.
 * {@code uakt}, {@code uact}) and means micro-units of that denomination per block of Akash's chain, which
 * {@link BlockPricing} turns into tokens per hour.
 */
public record Price(String denomination, BigDecimal amount, boolean perHour) {
}
