package org.openspheron.chain.index;

/**
 * How the {@link ProtocolIndex} follows the chain.
 *
 * @param resyncEveryBlocks blocks between two full reads of the chain's state (open orders and their bids): the
 *        guarantee that an event the logs did not deliver is healed within that many blocks
 * @param maxLogRange the most blocks one {@code eth_getLogs} asks for; halved for the rest of a pass when the node
 *        refuses a range as too large (public endpoints cap ranges or results), and grown back after
 * @param reorgDepth block hashes kept to find how deep a reorg went (the index resyncs whatever the depth)
 * @param resyncBatchSize the most views (three per order) the full read puts in one {@code ReadBatch} call, or, on
 *        a node that does not answer those, in one JSON-RPC batch (public endpoints cap batches, some at 10, most at
 *        100 or more, and a batch they refuse fails the read); see {@link org.openspheron.chain.OrderBatchReader}
 */
public record IndexOptions(long resyncEveryBlocks, int maxLogRange, int reorgDepth, int resyncBatchSize) {
    public static final int DEFAULT_RESYNC_BATCH_SIZE = 100;
    public static final IndexOptions DEFAULT = new IndexOptions(1_000, 2_000, 64);

    public IndexOptions(long resyncEveryBlocks, int maxLogRange, int reorgDepth) {
        this(resyncEveryBlocks, maxLogRange, reorgDepth, DEFAULT_RESYNC_BATCH_SIZE);
    }

    public IndexOptions {
        if (resyncEveryBlocks < 1) {
            throw new IllegalArgumentException("resyncEveryBlocks must be at least 1: " + resyncEveryBlocks);
        }
        if (maxLogRange < 1) {
            throw new IllegalArgumentException("maxLogRange must be at least 1: " + maxLogRange);
        }
        if (reorgDepth < 1) {
            throw new IllegalArgumentException("reorgDepth must be at least 1: " + reorgDepth);
        }
        if (resyncBatchSize < 1) {
            throw new IllegalArgumentException("resyncBatchSize must be at least 1: " + resyncBatchSize);
        }
    }
}
