package org.openspheron.cli;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;
import org.web3j.crypto.Keys;
import picocli.CommandLine.Command;

/** {@code spheron account}: who you are on chain and what you can spend. */
@Command(name = "account", description = "Show the account's address, token balance and certificate status.")
public class AccountCommand extends ChainCommand {
    @Override
    public Integer call() {
        Output output = output();
        Home home = common.home();
        try (ChainSession chain = openChain()) {
            String address = Keys.toChecksumAddress(chain.address());
            BigInteger balance = chain.reader().tokenBalance(address);
            BigInteger claimable = chain.reader().claimable(address);
            BigInteger gas = chain.connection().balanceOfEth(address);
            String fingerprint = home.hasIdentity() ? home.identity().fingerprint() : null;
            boolean published = fingerprint != null && chain.reader().certificateValid(address, fingerprint);
            output.line("address      " + address);
            output.line("balance      " + chain.tokens(balance));
            if (claimable.signum() > 0) {
                output.line("claimable    " + chain.tokens(claimable) + " (refunds held for you: `spheron claim`)");
            }
            output.line("gas          " + new java.math.BigDecimal(gas, 18).stripTrailingZeros().toPlainString() + " ETH");
            output.line("certificate  " + (fingerprint == null ? "none (run `spheron keys create --certificate-only`)"
                    : fingerprint + (published ? " (published)" : " (not published: run `spheron cert publish`)")));
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("address", address);
            result.put("balance", TokenAmount.plain(balance));
            result.put("balanceBaseUnits", balance.toString());
            result.put("claimable", TokenAmount.plain(claimable));
            result.put("symbol", chain.symbol());
            result.put("gasWei", gas.toString());
            result.put("certificateFingerprint", fingerprint);
            result.put("certificatePublished", published);
            output.result(result);
            return 0;
        }
    }
}
