package org.openspheron.cli;

import java.math.BigDecimal;
import org.openspheron.manifest.DenominationRates;
import picocli.CommandLine.Option;

/**
 * What the CLI needs to turn Akash SDL prices, per block, into a price per hour: the price of AKT, for files priced
 * in {@code uakt}. ACT and USDC are one dollar each and need nothing; AKT's price moves, so it is never assumed.
 */
public class PricingOptions {
    @Option(names = "--akt-price", paramLabel = "TOKENS", defaultValue = "${env:SPHERON_AKT_PRICE}",
            description = "Payment tokens one AKT is worth, to convert SDL prices in uakt per block into a price per hour "
                    + "(default: $SPHERON_AKT_PRICE; none is assumed).")
    String aktPrice;

    DenominationRates rates() {
        if (aktPrice == null || aktPrice.isBlank()) {
            return DenominationRates.withoutAktPrice();
        }
        BigDecimal price;
        try {
            price = new BigDecimal(aktPrice.trim());
        } catch (NumberFormatException e) {
            throw new CliException("--akt-price \"" + aktPrice + "\" is not an amount of tokens (write e.g. 0.95)");
        }
        if (price.signum() <= 0) {
            throw new CliException("--akt-price " + aktPrice + " is not a positive amount");
        }
        return DenominationRates.withAktPrice(price);
    }
}
