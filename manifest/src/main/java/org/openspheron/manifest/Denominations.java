package org.openspheron.manifest;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The denominations a price may be written in ({@code pricing.<profile>.token} or {@code .denom}): the union of what
 * the two formats' own tools accept, so a file written for either never meets a refusal its authors did not.
 * <ul>
 *   <li>Spheron ICL: {@code uSPON} (the mainnet token, and what this project's examples use) and the testnet tokens
 *       {@code USDT}, {@code USDC}, {@code DAI} and {@code WETH}, as listed by Spheron's protocol SDK.</li>
 *   <li>Akash SDL: {@code uakt} and {@code uact} (the enum in Akash's SDL input schema) and {@code ibc/<64 hex>}, the
 *       IBC denominations Akash's chain takes for deposits (USDC from Noble is
 *       {@code ibc/170C677610AC31DF0904FFE09CD3B5C657492170E7E52372E48756B71E56F2F1}).</li>
 * </ul>
 * A display name such as {@code akt} is not a chain denomination, so Akash refuses it and so does this. Case is
 * ignored (no two known names differ only in case), so {@code uspon} is {@code uSPON}.
 */
final class Denominations {
    private static final Set<String> NAMED = Set.of("uspon", "usdt", "usdc", "dai", "weth", "uakt", "uact");
    private static final Pattern IBC = Pattern.compile("ibc/[0-9a-f]{64}");

    /** For messages: what may be written. */
    static final String KNOWN = "uSPON, USDT, USDC, DAI or WETH for Spheron ICL; uakt, uact or ibc/<hash> for Akash SDL";

    private Denominations() {
    }

    static boolean known(String denomination) {
        String d = denomination.trim().toLowerCase(Locale.ROOT);
        return NAMED.contains(d) || IBC.matcher(d).matches();
    }
}
