package org.openspheron.manifest;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What one whole unit of an Akash SDL denomination is worth in the protocol's payment token, a US-dollar token with
 * six decimals ({@code sUSD}). Fixed where Akash fixes it, given by the user where a market sets it, never guessed:
 * <ul>
 *   <li>{@code uact}: ACT, Akash's compute credit since its burn-mint equilibrium, is minted against AKT at the oracle
 *       price so that one ACT is one US dollar; Akash Console counts it "1:1 USD"
 *       (akash-network/console, {@code apps/deploy-web/src/utils/priceUtils.ts}). Rate 1.</li>
 *   <li>USDC over IBC: the denominations Akash Console lists as USDC, {@code ibc/170C…F2F1} on mainnet and
 *       {@code ibc/12C6…2D84} on its sandbox and testnet ({@code apps/deploy-web/src/config/denom.config.ts}). Rate 1.</li>
 *   <li>{@code uakt}: AKT trades freely, so its price is the user's to give ({@link #withAktPrice}); without it,
 *       uakt has no rate.</li>
 * </ul>
 * Any other denomination has no rate. All three are micro-units (six decimals) like the payment token.
 *
 * @param aktPrice payment tokens per AKT, or null when not given
 */
public record DenominationRates(BigDecimal aktPrice) {
    public static final String UAKT = "uakt";
    public static final String UACT = "uact";
    static final String USDC_MAINNET = "ibc/170c677610ac31df0904ffe09cd3b5c657492170e7e52372e48756b71e56f2f1";
    static final String USDC_SANDBOX = "ibc/12c6a0c374171b595a0a9e18b83fa09d295fb1f2d8c6daa3ac28683471752d84";

    private static final Map<String, String> UNIT_NAMES = Map.of(UAKT, "AKT", UACT, "ACT", USDC_MAINNET, "USDC",
            USDC_SANDBOX, "USDC");

    public DenominationRates {
        if (aktPrice != null && aktPrice.signum() <= 0) {
            throw new IllegalArgumentException("an AKT price must be more than zero, not " + aktPrice.toPlainString());
        }
    }

    /** Rates without an AKT price: {@code uakt} prices cannot be converted. */
    public static DenominationRates withoutAktPrice() {
        return new DenominationRates(null);
    }

    public static DenominationRates withAktPrice(BigDecimal tokensPerAkt) {
        return new DenominationRates(tokensPerAkt);
    }

    /** Payment tokens per whole unit of the denomination (any case), if known. */
    public Optional<BigDecimal> of(String denomination) {
        if (denomination == null) {
            return Optional.empty();
        }
        String d = denomination.trim().toLowerCase(Locale.ROOT);
        if (d.equals(UAKT)) {
            return Optional.ofNullable(aktPrice);
        }
        return d.equals(UACT) || d.equals(USDC_MAINNET) || d.equals(USDC_SANDBOX) ? Optional.of(BigDecimal.ONE) : Optional.empty();
    }

    /** The whole unit a micro-denomination counts: {@code AKT} for {@code uakt}; the denomination itself if unknown. */
    public static String unitName(String denomination) {
        return denomination == null ? "?" : UNIT_NAMES.getOrDefault(denomination.trim().toLowerCase(Locale.ROOT), denomination);
    }
}
