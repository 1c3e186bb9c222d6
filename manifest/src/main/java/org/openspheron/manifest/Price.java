package org.openspheron.manifest;

import java.math.BigDecimal;

/**
 * A maximum price. ICL writes {@code token} and means tokens per hour per replica; SDL writes {@code denom} (e.g.
 * {@code uakt}, {@code uact}) and means that denomination per block, which has no meaning on this protocol's chain,
 * so only ICL prices turn into an order's maximum price.
 */
public record Price(String denomination, BigDecimal amount, boolean perHour) {
}
