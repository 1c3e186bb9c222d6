package org.openspheron.cli;

import java.math.BigDecimal;
import java.math.BigInteger;

/** Amounts of the payment token, which has six decimals: users write and read {@code 12.5}, the chain holds 12500000. */
final class TokenAmount {
    static final int DECIMALS = 6;

    private TokenAmount() {
    }

    /** Base units of a positive amount written in tokens, e.g. {@code 12.5}. */
    static BigInteger parse(String text) {
        BigDecimal value;
        try {
            value = new BigDecimal(text.trim());
        } catch (NumberFormatException e) {
            throw new CliException("\"" + text + "\" is not an amount of tokens (write e.g. 12.5)");
        }
        return toBaseUnits(value, text);
    }

    static BigInteger toBaseUnits(BigDecimal tokens, String asWritten) {
        if (tokens.signum() <= 0) {
            throw new CliException(asWritten + " is not a positive amount");
        }
        if (tokens.stripTrailingZeros().scale() > DECIMALS) {
            throw new CliException(asWritten + " has more than " + DECIMALS + " decimals");
        }
        return tokens.movePointRight(DECIMALS).toBigIntegerExact();
    }

    /** {@code 12.5 sUSD}. */
    static String format(BigInteger baseUnits, String symbol) {
        return plain(baseUnits) + " " + symbol;
    }

    /** {@code 12.5}: tokens without trailing zeros. */
    static String plain(BigInteger baseUnits) {
        BigDecimal tokens = new BigDecimal(baseUnits, DECIMALS);
        return tokens.signum() == 0 ? "0" : tokens.stripTrailingZeros().toPlainString();
    }
}
