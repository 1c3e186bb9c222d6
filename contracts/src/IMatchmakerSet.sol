// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IMatchmakerSet
/// @notice The narrow view the order contract needs of the matchmaker operators: who is one and how many
///         must agree. An EigenLayer AVS registry can stand behind this interface instead of MatchmakerSet.
interface IMatchmakerSet {
    /// @notice Whether `account` is a registered matchmaker operator.
    function isOperator(address account) external view returns (bool);

    /// @notice How many distinct operator signatures a match needs.
    function threshold() external view returns (uint256);
}
