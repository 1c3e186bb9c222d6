// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title Many view calls in one eth_call, without deploying anything.
/// @notice Never deployed: readers send this contract's creation code, followed by its constructor's arguments, as
/// the data of an eth_call without a `to` (a "deployless" call, which every node that runs contract creations in
/// eth_call answers). The constructor makes each static call to `target` and reverts with their return data in
/// `Results`: a revert's data has no size limit, whereas code returned by a constructor is capped at 24,576 bytes
/// (EIP-170), which the bids of a few dozen orders exceed. One eth_call of this kind reads what would otherwise take
/// one eth_call per view: the protocol index's full read of the open orders costs one call per few dozen orders
/// instead of three per order. A view that reverts ends the read with `ViewReverted`, so a reader can read that
/// group call by call and see which one failed.
contract ReadBatch {
    /// The return data of every call, in order: the answer of a read that worked.
    error Results(bytes[] results);
    /// Call `index` reverted with `result`.
    error ViewReverted(uint256 index, bytes result);

    constructor(address target, bytes[] memory calls) {
        bytes[] memory results = new bytes[](calls.length);
        for (uint256 i = 0; i < calls.length; i++) {
            (bool ok, bytes memory result) = target.staticcall(calls[i]);
            if (!ok) {
                revert ViewReverted(i, result);
            }
            results[i] = result;
        }
        revert Results(results);
    }
}
