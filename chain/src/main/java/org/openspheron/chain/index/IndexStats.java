package org.openspheron.chain.index;

/**
 * The index's counters at one moment, each since the index was made.
 *
 * @param indexedBlock the last block the index reflects, -1 before its first pass
 * @param lag blocks between the chain's head at the last pass and {@code indexedBlock} (0 after a complete pass)
 * @param reorgs reorgs detected (a block whose parent is not the block the index holds at that height)
 * @param resyncs full reads of the chain's state: at start, every {@link IndexOptions#resyncEveryBlocks}, after a
 *        reorg or a gap
 * @param gaps events that showed that an earlier one was missed (a bid index or order id skipped)
 * @param logRanges {@code eth_getLogs} ranges fetched successfully
 * @param refusedRanges ranges the node refused as too large (each halved and asked again)
 * @param openOrders open orders held
 */
public record IndexStats(long indexedBlock, long lag, long reorgs, long resyncs, long gaps, long logRanges,
                         long refusedRanges, int openOrders) {
    /** Before any index exists (the process has not reached the chain yet). */
    public static final IndexStats NONE = new IndexStats(-1, 0, 0, 0, 0, 0, 0, 0);
}
