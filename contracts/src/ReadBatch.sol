// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title Many view calls in one eth_call, without deploying anything.
/// @notice Never deployed: readers send this contract's creation code, followed by its constructor's arguments, as
/// the data of an eth_call without a `to` (a "deployless" call, which every node that runs contract creations in
/// eth_call answers). The constructor makes each static call to `target` and returns their return data as the
/// call's result (abi-encoded `bytes[]`), in place of the runtime code a deployment would return. One eth_call of
/// this kind reads what would otherwise take one eth_call per view: the protocol index's full read of the open
/// orders costs one call per few dozen orders instead of three per order. A call that reverts reverts the whole read,
/// with its revert data, so a reader sees the failure and can read call by call instead.
contract ReadBatch {
    constructor(address target, bytes[] memory calls) {
        bytes[] memory results = new bytes[](calls.length);
        for (uint256 i = 0; i < calls.length; i++) {
            (bool ok, bytes memory result) = target.staticcall(calls[i]);
            if (!ok) {
                assembly {
                    revert(add(result, 32), mload(result))
                }
            }
            results[i] = result;
        }
        bytes memory encoded = abi.encode(results);
        assembly {
            return(add(encoded, 32), mload(encoded))
        }
    }
}
