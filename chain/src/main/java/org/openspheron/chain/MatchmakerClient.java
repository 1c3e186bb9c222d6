package org.openspheron.chain;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.openspheron.contracts.generated.DeploymentOrder;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/** What a matchmaker operator does on chain: sign matches, anchor seeds, and submit a quorum's match. */
public final class MatchmakerClient {
    private final TransactionSender sender;
    private final DeploymentOrder orders;

    public MatchmakerClient(ChainConnection connection, Credentials operator) {
        this(connection.sender(operator));
    }

    public MatchmakerClient(TransactionSender sender) {
        this.sender = sender;
        ChainConnection c = sender.connection();
        this.orders = DeploymentOrder.load(c.addresses().orders(), c.web3j(), sender.manager(), c.gasProvider());
    }

    public String address() {
        return sender.address();
    }

    /** Signs a 32-byte match digest (no message prefix: it is already EIP-712). Returns 65 bytes r||s||v. */
    public MatchSignature sign(byte[] digest) {
        return MatchSignature.sign(digest, sender.credentials());
    }

    /**
     * Submits the match with the operators' signatures (sorted by signer here, as the contract requires) and
     * returns the new lease id from {@code CREATE_LEASE}.
     */
    public long matchOrder(long orderId, int bidIndex, List<MatchSignature> signatures) {
        List<MatchSignature> sorted = new ArrayList<>(signatures);
        sorted.sort(Comparator.comparing(s -> Numeric.toBigInt(s.signer())));
        List<byte[]> bytes = sorted.stream().map(MatchSignature::bytes).toList();
        TransactionReceipt receipt = sender.send("matchOrder(order " + orderId + ", bid " + bidIndex + ")",
                orders.matchOrder(BigInteger.valueOf(orderId), BigInteger.valueOf(bidIndex), bytes));
        return DeploymentOrder.getCREATE_LEASEEvents(receipt).stream().findFirst()
                .map(e -> e.leaseId.longValueExact())
                .orElseThrow(() -> new ChainException("matchOrder mined without CREATE_LEASE"));
    }

    /** One operator's signature over a match digest. */
    public record MatchSignature(String signer, byte[] bytes) {
        public static MatchSignature sign(byte[] digest, Credentials credentials) {
            Sign.SignatureData sig = Sign.signMessage(digest, credentials.getEcKeyPair(), false);
            byte[] out = new byte[65];
            System.arraycopy(sig.getR(), 0, out, 0, 32);
            System.arraycopy(sig.getS(), 0, out, 32, 32);
            out[64] = sig.getV()[0];
            return new MatchSignature(Keys.toChecksumAddress(credentials.getAddress()), out);
        }

        /** Half the order of secp256k1: the largest {@code s} the contract's ECDSA.recover (OpenZeppelin) accepts. */
        private static final BigInteger HALF_CURVE_ORDER = Sign.CURVE_PARAMS.getN().shiftRight(1);

        /**
         * Recovers the signer of {@code bytes} over {@code digest}; throws when the signature is malformed or one the
         * contract would refuse. Every signature has a twin ({@code s' = n - s}, {@code v} flipped) that recovers to
         * the same signer here but that OpenZeppelin's ECDSA reverts on ({@code ECDSAInvalidSignatureS}): taken for
         * an operator's own, a peer's twin would make every matchOrder carrying it revert. So only what the contract
         * takes is taken: {@code s} in the lower half and {@code v} 27 or 28.
         */
        public static String recover(byte[] digest, byte[] bytes) {
            if (bytes.length != 65) {
                throw new IllegalArgumentException("a signature has 65 bytes, not " + bytes.length);
            }
            byte[] r = java.util.Arrays.copyOfRange(bytes, 0, 32);
            byte[] s = java.util.Arrays.copyOfRange(bytes, 32, 64);
            if (new BigInteger(1, s).compareTo(HALF_CURVE_ORDER) > 0) {
                throw new IllegalArgumentException("not a signature the contract accepts: s is in the upper half of the"
                        + " curve order (a malleated twin)");
            }
            if (bytes[64] != 27 && bytes[64] != 28) {
                throw new IllegalArgumentException("not a signature the contract accepts: v is " + (bytes[64] & 0xff)
                        + ", not 27 or 28");
            }
            Sign.SignatureData data = new Sign.SignatureData(bytes[64], r, s);
            try {
                BigInteger key = Sign.signedMessageHashToKey(digest, data);
                return Keys.toChecksumAddress("0x" + Keys.getAddress(key));
            } catch (java.security.SignatureException e) {
                throw new IllegalArgumentException("not a valid signature: " + e.getMessage(), e);
            }
        }
    }
}
