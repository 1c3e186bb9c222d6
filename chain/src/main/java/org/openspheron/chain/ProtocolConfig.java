package org.openspheron.chain;

import java.math.BigInteger;
import java.util.List;

/**
 * The protocol's deployment parameters.
 *
 * @param bidWindowBlocks blocks after an order's creation during which providers bid
 * @param matchWindowBlocks blocks after the bid window in which an order may be matched (1 to 255, so the seed's
 *        block hash is readable throughout); then it expires and its tenant may cancel it
 * @param confirmWindowSeconds seconds a provider has to confirm a deployment
 * @param missedDeploymentSlash stake taken from a provider that misses that deadline
 * @param minStake stake a provider needs to bid
 * @param unstakeCooldownBlocks blocks between an unstake request and its withdrawal
 * @param heartbeatEpochBlocks blocks per heartbeat epoch (uptime is heartbeats over 64 epochs)
 * @param matchmakers the matchmaker operators' addresses
 * @param threshold how many of them must sign a match: a strict majority of them, as the operator set requires
 * @param operatorChangeDelaySeconds how long every change to the operator set waits between its proposal and its
 *        execution, fixed at deployment: the time operators and users have to react (days on a public chain)
 */
public record ProtocolConfig(
        long bidWindowBlocks,
        long matchWindowBlocks,
        long confirmWindowSeconds,
        BigInteger missedDeploymentSlash,
        BigInteger minStake,
        long unstakeCooldownBlocks,
        long heartbeatEpochBlocks,
        List<String> matchmakers,
        int threshold,
        long operatorChangeDelaySeconds) {

    /** One token unit with the payment token's six decimals. */
    public static final BigInteger TOKEN = BigInteger.TEN.pow(6);

    /** The longest match window: the seed is the bid window's last block hash, which the EVM keeps 256 blocks. */
    public static final long MAX_MATCH_WINDOW_BLOCKS = 255;

    /** The longest confirm window DeploymentOrder accepts: a lease's deadline always fits its 64 bits. */
    public static final long MAX_CONFIRM_WINDOW_SECONDS = 30L * 24 * 3600;

    public ProtocolConfig {
        matchmakers = List.copyOf(matchmakers);
        if (matchWindowBlocks < 1 || matchWindowBlocks > MAX_MATCH_WINDOW_BLOCKS) {
            throw new IllegalArgumentException("matchWindowBlocks " + matchWindowBlocks + " must be between 1 and "
                    + MAX_MATCH_WINDOW_BLOCKS + ": an order's seed is its bid window's block hash, which the chain "
                    + "keeps for 256 blocks");
        }
        if (confirmWindowSeconds < 0 || confirmWindowSeconds > MAX_CONFIRM_WINDOW_SECONDS) {
            throw new IllegalArgumentException("confirmWindowSeconds " + confirmWindowSeconds + " must be between 0 and "
                    + MAX_CONFIRM_WINDOW_SECONDS + " (30 days), the contract's limit");
        }
        if (threshold > matchmakers.size() || threshold * 2 <= matchmakers.size()) {
            throw new IllegalArgumentException("threshold " + threshold + " must be a strict majority of the "
                    + matchmakers.size() + " matchmakers, at most all of them");
        }
        if (operatorChangeDelaySeconds < 0) {
            throw new IllegalArgumentException("operatorChangeDelaySeconds must not be negative");
        }
    }

    /** Parameters for a local chain: short windows so a whole flow runs in seconds, operator changes in a minute. */
    public static ProtocolConfig local(List<String> matchmakers, int threshold) {
        return new ProtocolConfig(5, 40, 600, TOKEN.multiply(BigInteger.valueOf(50)),
                TOKEN.multiply(BigInteger.valueOf(100)), 10, 10, matchmakers, threshold, 60);
    }

    public ProtocolConfig withBidWindowBlocks(long blocks) {
        return new ProtocolConfig(blocks, matchWindowBlocks, confirmWindowSeconds, missedDeploymentSlash, minStake,
                unstakeCooldownBlocks, heartbeatEpochBlocks, matchmakers, threshold, operatorChangeDelaySeconds);
    }

    public ProtocolConfig withMatchWindowBlocks(long blocks) {
        return new ProtocolConfig(bidWindowBlocks, blocks, confirmWindowSeconds, missedDeploymentSlash, minStake,
                unstakeCooldownBlocks, heartbeatEpochBlocks, matchmakers, threshold, operatorChangeDelaySeconds);
    }

    public ProtocolConfig withConfirmWindowSeconds(long seconds) {
        return new ProtocolConfig(bidWindowBlocks, matchWindowBlocks, seconds, missedDeploymentSlash, minStake,
                unstakeCooldownBlocks, heartbeatEpochBlocks, matchmakers, threshold, operatorChangeDelaySeconds);
    }
}
