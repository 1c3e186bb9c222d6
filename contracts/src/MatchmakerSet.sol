// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IMatchmakerSet} from "./IMatchmakerSet.sol";

/// @title MatchmakerSet
/// @notice The set of matchmaker operators and the quorum threshold (M of N), managed by an owner.
contract MatchmakerSet is IMatchmakerSet, Ownable {
    error AlreadyOperator(address account);
    error NotAnOperator(address account);
    error InvalidThreshold(uint256 threshold, uint256 operatorCount);
    error ZeroAddress();

    event OPERATOR_ADDED(address indexed account);
    event OPERATOR_REMOVED(address indexed account);
    event THRESHOLD_CHANGED(uint256 threshold);

    mapping(address => bool) private _isOperator;
    address[] private _operators;
    uint256 private _threshold;

    /// @param initialOperators the first operators
    /// @param initialThreshold signatures a match needs; 1 <= threshold <= operators
    constructor(address[] memory initialOperators, uint256 initialThreshold) Ownable(msg.sender) {
        for (uint256 i = 0; i < initialOperators.length; i++) {
            _add(initialOperators[i]);
        }
        _setThreshold(initialThreshold);
    }

    /// @inheritdoc IMatchmakerSet
    function isOperator(address account) external view returns (bool) {
        return _isOperator[account];
    }

    /// @inheritdoc IMatchmakerSet
    function threshold() external view returns (uint256) {
        return _threshold;
    }

    /// @notice All current operators, in the order they were added (removal swaps the last one in).
    function operators() external view returns (address[] memory) {
        return _operators;
    }

    /// @notice Adds an operator. Owner only.
    /// @param account the operator's signing address
    function addOperator(address account) external onlyOwner {
        _add(account);
    }

    /// @notice Removes an operator; the threshold must still be reachable afterwards. Owner only.
    /// @param account the operator's signing address
    function removeOperator(address account) external onlyOwner {
        if (!_isOperator[account]) revert NotAnOperator(account);
        if (_operators.length - 1 < _threshold) revert InvalidThreshold(_threshold, _operators.length - 1);
        _isOperator[account] = false;
        for (uint256 i = 0; i < _operators.length; i++) {
            if (_operators[i] == account) {
                _operators[i] = _operators[_operators.length - 1];
                _operators.pop();
                break;
            }
        }
        emit OPERATOR_REMOVED(account);
    }

    /// @notice Sets how many operator signatures a match needs. Owner only.
    /// @param newThreshold 1 <= newThreshold <= number of operators
    function setThreshold(uint256 newThreshold) external onlyOwner {
        _setThreshold(newThreshold);
    }

    function _add(address account) private {
        if (account == address(0)) revert ZeroAddress();
        if (_isOperator[account]) revert AlreadyOperator(account);
        _isOperator[account] = true;
        _operators.push(account);
        emit OPERATOR_ADDED(account);
    }

    function _setThreshold(uint256 newThreshold) private {
        if (newThreshold == 0 || newThreshold > _operators.length) {
            revert InvalidThreshold(newThreshold, _operators.length);
        }
        _threshold = newThreshold;
        emit THRESHOLD_CHANGED(newThreshold);
    }
}
